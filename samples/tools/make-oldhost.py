#!/usr/bin/env python3
# make-oldhost.py - regenerate the sample old mail host trees
#
# Usage:
#   make-oldhost.py generate            rewrite samples/oldhost, samples/badhost and the
#                                       files that describe them (deterministic output)
#   make-oldhost.py --fixup DIR [--tree oldhost|badhost]
#                                       make a copy of a tree (e.g. a git checkout or a test's
#                                       private copy) complete again: recreate the empty
#                                       directories git cannot store (Maildir/tmp ...), the
#                                       queue trigger FIFO, and the file modes git does not keep
#                                       (0600 vpasswd, 0666 and 000 files of the bad tree)
#
# Only python3's standard library is used.  "generate" also needs perl (crypt(3) for DES
# and for checking every hash), openssl (passwd -1 / -6), tinycdb's "cdb" and ucspi-tcp's
# "tcprules".  Every salt, timestamp, pid and random choice is fixed, so two runs give the
# same bytes.  "--fixup" needs none of those programs.
#
# The behaviour that the files exercise, and what the old host did with mail for each
# address, is described in samples/README.md; the machine-readable forms are
# samples/oldhost-expected.tsv and samples/oldhost-logins.tsv.  Those two tables are written
# from the hand-derived data in this file (EXPECTED_* below), not computed by a program that
# imitates qmail.

import argparse
import calendar
import hashlib
import heapq
import os
import random
import shutil
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.dirname(HERE)
FIXED_MTIME = calendar.timegm((2026, 11, 18, 23, 59, 59))
VP = "/home/vpopmail"
DOMS = VP + "/domains"

# ---------------------------------------------------------------------------
# small helpers


def b(s):
    return s.encode("utf-8") if isinstance(s, str) else s


class Tree:
    """A tree under construction; records what git cannot keep."""

    def __init__(self, root):
        self.root = root
        self.modes = {}       # rel path -> mode that git does not keep
        self.fifos = []
        self.links = []       # (rel path, target): a release tarball may drop them
        self.dirs = set()     # directories created on purpose (empty ones go to the manifest)

    def p(self, rel):
        return os.path.join(self.root, rel.lstrip("/"))

    def mkdir(self, rel):
        os.makedirs(self.p(rel), exist_ok=True)
        self.dirs.add(rel.strip("/"))

    def write(self, rel, data, mode=None):
        path = self.p(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b(data))
        if mode is not None:
            self.modes[rel.lstrip("/")] = mode
            # executable bits are the only mode bits git keeps
            os.chmod(path, 0o755 if mode & 0o100 else 0o644)
        else:
            os.chmod(path, 0o644)

    def script(self, rel, data):
        self.write(rel, data)
        os.chmod(self.p(rel), 0o755)

    def symlink(self, rel, target):
        self.links.append((rel.lstrip("/"), target))
        path = self.p(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)

    def fifo(self, rel):
        self.fifos.append(rel.lstrip("/"))


def run(argv, data=None):
    r = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("make-oldhost: %s failed: %s" % (argv[0], r.stderr.decode(errors="replace")))
    return r.stdout


def cdbmake(records):
    """cdbmake input (+klen,dlen:key->data) for tinycdb's cdb -c."""
    out = bytearray()
    for k, v in records:
        k, v = b(k), b(v)
        out += b"+%d,%d:" % (len(k), len(v)) + k + b"->" + v + b"\n"
    out += b"\n"
    return bytes(out)


def write_cdb(tree, rel, records):
    path = tree.p(rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run(["cdb", "-c", "-t", path + ".tmp", path], cdbmake(records))
    os.chmod(path, 0o644)


SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fixed_salt(tag, n):
    h = hashlib.sha256(("salt:" + tag).encode()).digest()
    return "".join(SALT_CHARS[x % 64] for x in h[:n])


def fixed_password(tag):
    h = hashlib.sha256(("pw:" + tag).encode()).digest()
    alnum = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alnum[x % len(alnum)] for x in h[:10])


def make_hash(kind, password, tag):
    if kind == "des":
        salt = fixed_salt(tag, 2)
        return run(["perl", "-e", 'print crypt($ARGV[0], $ARGV[1])', password, salt]).decode()
    if kind == "md5":
        salt = fixed_salt(tag, 8)
        return run(["openssl", "passwd", "-1", "-salt", salt, "-stdin"],
                   (password + "\n").encode()).decode().strip()
    if kind == "sha512":
        salt = fixed_salt(tag, 16)
        return run(["openssl", "passwd", "-6", "-salt", salt, "-stdin"],
                   (password + "\n").encode()).decode().strip()
    if kind == "none":
        return ""
    raise ValueError(kind)


def verify_hashes(pairs):
    """Check every (password, hash) with perl's crypt(3); stop on any mismatch."""
    data = "".join("%s\t%s\n" % (p, h) for p, h in pairs if h)
    prog = ('my $bad=0; while(<STDIN>){chomp; my($p,$h)=split(/\t/,$_,2);'
            ' if(crypt($p,$h) ne $h){print "MISMATCH $h\\n"; $bad++}} exit($bad?1:0);')
    r = subprocess.run(["perl", "-e", prog], input=data.encode(), stdout=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("make-oldhost: hash check failed:\n" + r.stdout.decode())


def hash_kind_of(h):
    if h == "":
        return "none"
    if h.startswith("$1$"):
        return "md5-crypt"
    if h.startswith("$6$"):
        return "sha512-crypt"
    if len(h) == 13:
        return "des-crypt"
    return "unknown"


def tai64n(t, nanos=0):
    return "@%016x%08x" % ((1 << 62) + 10 + int(t), nanos)


def utc(y, mo, d, h=0, mi=0, s=0):
    return calendar.timegm((y, mo, d, h, mi, s))


def rfc822date(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def qmaildate(t):
    # date822fmt: "17 Nov 2026 10:00:00 -0000"
    tm = time.gmtime(t)
    return "%d %s %d %02d:%02d:%02d -0000" % (tm.tm_mday, time.strftime("%b", tm), tm.tm_year,
                                                tm.tm_hour, tm.tm_min, tm.tm_sec)


def syslogdate(t):
    tm = time.gmtime(t)
    return "%s %2d %s" % (time.strftime("%b", tm), tm.tm_mday, time.strftime("%H:%M:%S", tm))


# ---------------------------------------------------------------------------
# users
#
# flags (vpopmail.h): NO_POP 0x02, NO_IMAP 0x08, BOUNCE_MAIL 0x10, NO_SMTP 0x800

NO_POP, NO_IMAP, BOUNCE_MAIL, NO_SMTP = 0x02, 0x08, 0x10, 0x800

# name, hash kind, password, cleartext kept in vpasswd?, gid flags, quota field, gecos
NAMED_EXAMPLE_COM = [
    ("postmaster", "des", "pm4exCom", True, 0, "NOQUOTA", "Postmaster"),
    ("alice", "des", "tea4two9", True, 0, "50000000S", "Alice Liddell"),
    ("bob", "md5", "Bob-Secret-42", True, 0, "50000000S,1000C", "Bob Marley"),
    ("carol", "sha512", "Carol!Sails#2024", True, 0, "1000C,10MBS", "Carol Danvers"),
    ("dave", "des", "springtime24", True, NO_POP, "1000000", "Dave Lister"),
    ("erin", "md5", "erin.pw.77", True, NO_IMAP, "5MB", "Erin Brockovich"),
    ("frank", "sha512", "Frank2020", True, BOUNCE_MAIL, "1024KB", "Frank Drebin"),
    ("grace", "md5", "GraceH0pper", True, NO_SMTP, "NOQUOTA", "Grace Hopper"),
    ("heidi", "sha512", "heidi-lists-1", True, 0, "NOQUOTA", "Heidi Klum"),
    ("ivan", "md5", "Ivan-NoClear-5", False, 0, "NOQUOTA", "Ivan Drago"),
    ("judy", "sha512", "JudyJudy7", True, 0, "52428800S,1000C", "Judy Hopps"),
    ("john", "des", "js1977ok", True, 0, "NOQUOTA", "John Smith"),
    ("kim", "md5", "Reception#1", True, 0, "104857600S", "Kim Wexler (reception)"),
    ("mallory", "sha512", "mallory-webmail", True, NO_POP | NO_IMAP, "NOQUOTA",
     "Mallory Archer (webmail only)"),
    ("scanner", "none", "", False, NO_POP | NO_IMAP | NO_SMTP, "NOQUOTA",
     "Copier/scanner (receives nothing, no login)"),
]
# created late, so they live in the hashed directory 0/
LATE_EXAMPLE_COM = [
    ("olga", "sha512", "Olga-Late-2025", False, 0, "NOQUOTA", "Olga Kurylenko"),
    ("victor", "sha512", "Victor-Fwd-9", True, 0, "104857600S", "Victor Sierra"),
]
FIRST = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hans", "ines", "jonas",
         "karla", "lukas", "mia", "noah", "olivia", "paul", "quinn", "rosa", "sven", "tina",
         "uwe", "vera", "walter", "xenia", "yusuf", "zoe", "adam", "bella", "carl"]
LAST = ["becker", "fischer", "hoffmann", "klein", "lange", "meyer", "neumann", "richter",
        "schmidt", "schulz", "wagner", "weber", "wolf", "zimmermann"]
N_EXAMPLE_COM = 130


def bulk_names(n):
    out, seen, i = [], set(), 0
    while len(out) < n:
        name = "%s.%s" % (FIRST[i % len(FIRST)], LAST[(i * 5 + i // len(FIRST)) % len(LAST)])
        i += 1
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


class User:
    def __init__(self, domain, name, kind, pw, clear, flags, quota, gecos, pw_dir):
        self.domain, self.name, self.kind, self.pw = domain, name, kind, pw
        self.clear, self.flags, self.quota, self.gecos, self.pw_dir = clear, flags, quota, gecos, pw_dir
        self.hash = None
        self.messages = []     # (subdir, filename, bytes)

    @property
    def addr(self):
        return "%s@%s" % (self.name, self.domain)

    def vpasswd_line(self):
        f = [self.name, self.hash, "1", str(self.flags), self.gecos, self.pw_dir, self.quota]
        if self.clear:
            f.append(self.pw)
        return ":".join(f)


DOMAIN_DIR = {
    "example.com": DOMS + "/example.com",
    "example.net": DOMS + "/example.net",
    "oldbrand.example": DOMS + "/oldbrand.example",
    # the domain directories of this host were hashed once (dir_control dom_89); the
    # users/assign line is authoritative, never the domain name
    "partner.example": DOMS + "/0/partner.example",
}


def build_users():
    users = []
    d = DOMAIN_DIR["example.com"]
    named = list(NAMED_EXAMPLE_COM)
    bulk = bulk_names(N_EXAMPLE_COM - len(named) - len(LATE_EXAMPLE_COM))
    seq = []
    for t in named:
        seq.append(t)
    for i, name in enumerate(bulk):
        # oldest accounts DES, then MD5-crypt, newest SHA-512-crypt
        kind = "des" if i < 35 else ("md5" if i < 85 else "sha512")
        quota = "104857600S" if i % 5 == 4 else "NOQUOTA"
        clear = i not in (41, 77)
        first, last = name.split(".")
        seq.append((name, kind, fixed_password("example.com/" + name), clear, 0, quota,
                    "%s %s" % (first.capitalize(), last.capitalize())))
        if len(seq) == 110:
            seq.append(LATE_EXAMPLE_COM[0])
        if len(seq) == 120:
            seq.append(LATE_EXAMPLE_COM[1])
    assert len(seq) == N_EXAMPLE_COM, len(seq)
    for idx, (name, kind, pw, clear, flags, quota, gecos) in enumerate(seq):
        pw_dir = "%s/%s" % (d, name) if idx < 100 else "%s/0/%s" % (d, name)
        users.append(User("example.com", name, kind, pw, clear, flags, quota, gecos, pw_dir))

    def add(dom, name, kind, pw, clear, flags, quota, gecos):
        users.append(User(dom, name, kind, pw, clear, flags, quota, gecos,
                          "%s/%s" % (DOMAIN_DIR[dom], name)))

    add("example.net", "postmaster", "md5", "NetPost-11", True, 0, "NOQUOTA", "Postmaster")
    add("example.net", "info", "md5", "InfoDesk-2021", True, 0, "NOQUOTA", "Info desk (catch-all)")
    add("example.net", "mike", "des", "mike1234", True, 0, "5MB", "Mike Wazowski")
    add("example.net", "nina", "sha512", "Nina-NoClear-3", False, 0, "NOQUOTA", "Nina Simone")
    add("oldbrand.example", "postmaster", "des", "0ldBrand", True, 0, "NOQUOTA", "Postmaster")
    add("oldbrand.example", "tom", "des", "tomcat99", True, 0, "NOQUOTA", "Tom Sawyer")
    add("oldbrand.example", "sales", "md5", "OldSales-4", True, 0, "NOQUOTA", "Sales (merged)")
    add("partner.example", "postmaster", "sha512", "Partner-PM-8", True, 0, "NOQUOTA", "Postmaster")
    add("partner.example", "liaison", "sha512", "Liaison&Co", True, 0, "20MB", "Partner liaison")
    for u in users:
        u.hash = make_hash(u.kind, u.pw, u.addr)
    verify_hashes([(u.pw, u.hash) for u in users])
    return users


# ---------------------------------------------------------------------------
# messages


class MsgFactory:
    def __init__(self):
        self.pid = 4100
        self.inode = 1049000

    def text(self, sender, to, subject, t, body, mid, extra=None, rpath=None, dto=None,
             received_from=None):
        h = []
        if rpath is not None:
            h.append("Return-Path: <%s>" % rpath)
        if dto:
            h.append("Delivered-To: %s" % dto)
        if received_from:
            h.append("Received: (qmail %d invoked from network); %s" % (self.pid + 7, qmaildate(t)))
            h.append("Received: from %s (HELO %s) (%s)\n  by mail.example.com with SMTP; %s"
                     % (received_from[0], received_from[0], received_from[1], qmaildate(t)))
        else:
            h.append("Received: (qmail %d invoked by uid 89); %s" % (self.pid + 3, qmaildate(t)))
        h.append("Date: %s" % rfc822date(t - 3))
        h.append("From: %s" % sender)
        h.append("To: %s" % to)
        h.append("Subject: %s" % subject)
        h.append("Message-ID: <%s>" % mid)
        h.append("MIME-Version: 1.0")
        h.append("Content-Type: text/plain; charset=us-ascii")
        h.append("Content-Transfer-Encoding: 7bit")
        if extra:
            h.extend(extra)
        return ("\n".join(h) + "\n\n" + body.rstrip("\n") + "\n").encode()

    def next_pid(self):
        self.pid += 37
        return self.pid


def add_msg(u_or_dir, sub, t, data, fac, style="vdelivermail", flags="S"):
    """Name a Maildir file the way the program that wrote it did; S= is the true size."""
    size = len(data)
    pid = fac.next_pid()
    if style == "vdelivermail":
        base = "%d.%d.mail.example.com,S=%d" % (t, pid, size)
    elif style == "dovecot":
        vsize = size + data.count(b"\n")
        base = ("%d.M%06dP%dV000000000000FD01I%08X_0.mail.example.com,S=%d,W=%d"
                % (t, (pid * 7919) % 1000000, pid, fac.inode, size, vsize))
        fac.inode += 1
    else:
        raise ValueError(style)
    if sub == "cur":
        base += ":2," + flags
    return (sub, base, data)


# ---------------------------------------------------------------------------
# oldhost


CONTROL = {
    "me": "mail.example.com\n",
    "defaultdomain": "example.com\n",
    "defaulthost": "example.com\n",
    "plusdomain": "example.com\n",
    "locals": "localhost\nmail.example.com\n",
    "rcpthosts": "localhost\nmail.example.com\nexample.com\nexample.net\nexample.org\nbackupmx.example\n",
    "morercpthosts": "oldbrand.example\npartner.example\n",
    "virtualdomains": ("example.com:example.com\nexample.net:example.net\n"
                       "example.org:example.org\noldbrand.example:oldbrand.example\n"
                       "partner.example:partner.example\n"),
    "databytes": "20971520\n",
    "doublebounceto": "postmaster\n",
    "doublebouncehost": "example.com\n",
    "bouncefrom": "MAILER-DAEMON\n",
    "bouncehost": "mail.example.com\n",
    "helohost": "mail.example.com\n",
    "queuelifetime": "432000\n",
    "timeoutsmtpd": "600\n",
    "timeoutremote": "1200\n",
    "timeoutconnect": "30\n",
    "smtproutes": "backupmx.example:[192.0.2.30]:25\n.internal.example:gw.remote.example:2525\n",
    "badmailfrom": "spammer@junk.example\n@bulk-mailer.example\n",
    "badrcptto": "nobody@example.net\ntest@example.net\n",
    "concurrencylocal": "20\n",
    "concurrencyremote": "60\n",
    "concurrencyincoming": "100\n",
    "envnoathost": "mail.example.com\n",
    "idhost": "mail.example.com\n",
    "localiphost": "mail.example.com\n",
    "smtpgreeting": "mail.example.com ESMTP\n",
    # toaster patch files (no Postfix equivalent: listed as not converted)
    "spfbehavior": "3\n",
    "tarpitcount": "50\n",
    "tarpitdelay": "5\n",
    "defaultdelivery": "./Maildir/\n",
    "servercert.pem": ("# Placeholder for the TLS certificate and key that qmail-smtpd's STARTTLS patch\n"
                       "# and tcpserver-ssl read.  The real file held a private key; this sample\n"
                       "# deliberately contains no key material.\n"),
}

ASSIGN = """+example.com-:example.com:89:89:/home/vpopmail/domains/example.com:-::
+example.net-:example.net:89:89:/home/vpopmail/domains/example.net:-::
+example.org-:example.com:89:89:/home/vpopmail/domains/example.com:-::
+oldbrand.example-:oldbrand.example:89:89:/home/vpopmail/domains/oldbrand.example:-::
+partner.example-:partner.example:89:89:/home/vpopmail/domains/0/partner.example:-::
=logwatch:alias:7790:2108:/var/qmail/alias:-:root:
+webapp-:webapp:1001:1001:/home/webapp:-::
.
"""


def assign_cdb_records(text):
    """Records exactly as qmail-newu(8) builds users/cdb from users/assign."""
    recs, wild = [], ""
    for line in text.split("\n"):
        if line.startswith("."):
            break
        i = line.index(":")
        key = "!" + line[1:i]
        if line[0] == "+":
            key = key.lower()
            if i >= 2 and line[i - 1] not in wild:
                wild += line[i - 1]
        else:
            key = (key + "\0").lower()
        data = line[i + 1:]
        n, out = 0, []
        for ch in data:
            if ch == ":":
                n += 1
                if n == 6:
                    break
                out.append("\0")
            else:
                out.append(ch)
        recs.append((key, "".join(out)))
    recs.append(("", wild))
    return recs


DOT_QMAIL_EXAMPLE_COM = {
    # aliases: forward to two users, with a comment
    ".qmail-sales": "# sales team, changed 2023-04-02 (ticket 4411)\n&alice@example.com\n&judy@example.com\n",
    ".qmail-sales-owner": "&postmaster@example.com\n",
    # forward and keep a copy in a (another user's) Maildir
    ".qmail-billing": "/home/vpopmail/domains/example.com/kim/Maildir/\n&accounting@remote.example\n",
    # autoresponder pipe plus a Maildir copy
    ".qmail-info": ("| /home/vpopmail/bin/autorespond 86400 3 /home/vpopmail/domains/example.com/info/message"
                    " /home/vpopmail/domains/example.com/info\n"
                    "/home/vpopmail/domains/example.com/kim/Maildir/\n"),
    # maildir line to a Maildir that belongs to no vpopmail user
    ".qmail-archive": "/home/vpopmail/domains/example.com/archive/Maildir/\n",
    # mbox line (qmail-local appends to the file)
    ".qmail-legacy": "# old procmail-era mailbox, read with mutt by the archivist\n"
                     "/home/vpopmail/domains/example.com/legacy/mbox\n",
    ".qmail-support": "&kim@example.com\n",
    ".qmail-support-default": "|/usr/local/bin/rt-mailgate --queue support --action correspond --url https://rt.example.com/\n",
    # john.smith@example.com: dots in the extension become colons
    ".qmail-john:smith": "&john@example.com\n",
    ".qmail-abuse": "&postmaster@example.com\n",
    # only a comment: qmail-local delivers nowhere, the message is dropped
    ".qmail-noreply": "# drop everything sent to noreply@ (replies to newsletters)\n",
    # ezmlm-idx list "announce", files as ezmlm-make wrote them
    ".qmail-announce": ("|/usr/local/bin/ezmlm/ezmlm-reject '/home/vpopmail/domains/example.com/announce'\n"
                        "|/usr/local/bin/ezmlm/ezmlm-send '/home/vpopmail/domains/example.com/announce'\n"),
    ".qmail-announce-default": ("|/usr/local/bin/ezmlm/ezmlm-weed\n"
                                "|/usr/local/bin/ezmlm/ezmlm-manage '/home/vpopmail/domains/example.com/announce'\n"),
    ".qmail-announce-owner": "/home/vpopmail/domains/example.com/announce/Mailbox\n",
    ".qmail-announce-return-default": ("|/usr/local/bin/ezmlm/ezmlm-return -D '/home/vpopmail/domains/example.com/announce'\n"),
    ".qmail-announce-digest-owner": "/home/vpopmail/domains/example.com/announce/Mailbox\n",
    ".qmail-announce-digest-return-default": ("|/usr/local/bin/ezmlm/ezmlm-return -d '/home/vpopmail/domains/example.com/announce'\n"),
}


VPOPMAIL_CONFIG_H = (
    "/* include/config.h.  Generated from config.h.in by configure.  */\n"
    "/* config.h.in.  Generated from configure.in by autoheader.  */\n"
    "\n"
    "/* \"\" */\n"
    "#define AUTH_LOG 1\n"
    "\n"
    "/* \"\" */\n"
    "#define CLEAR_PASS 1\n"
    "\n"
    "/* \"\" */\n"
    "#define MD5_PASSWORDS 1\n"
    "\n"
    "/* \"\" */\n"
    "#define QMAIL_EXT 1\n"
    "\n"
    "/* \"\" */\n"
    "#define VPOPMAIL_DIR_BIN \"/home/vpopmail/bin\"\n"
    "\n"
    "/* \"\" */\n"
    "#define VPOPMAILUID 89\n"
    "\n"
    "/* \"\" */\n"
    "#define VPOPMAILGID 89\n"
)


def vdm(arg):
    return "| /home/vpopmail/bin/vdelivermail '' %s\n" % arg


def gen_oldhost(root, users):
    t = Tree(root)
    fac = MsgFactory()
    Q = "var/qmail"

    # -- control ------------------------------------------------------------
    for name, content in sorted(CONTROL.items()):
        t.write("%s/control/%s" % (Q, name), content)
    write_cdb(t, Q + "/control/morercpthosts.cdb",
              [(l.lower(), "") for l in CONTROL["morercpthosts"].split()])

    # -- users/assign + users/cdb --------------------------------------------
    t.write(Q + "/users/assign", ASSIGN)
    write_cdb(t, Q + "/users/cdb", assign_cdb_records(ASSIGN))

    # -- ~alias ---------------------------------------------------------------
    t.write(Q + "/alias/.qmail-postmaster", "&postmaster@example.com\n")
    t.write(Q + "/alias/.qmail-root", "postmaster@example.com\n")
    t.write(Q + "/alias/.qmail-mailer-daemon", "&postmaster@example.com\n")

    # -- wildcard system user webapp (users/assign +webapp-) -------------------
    t.write("home/webapp/.qmail-default", "|/home/webapp/bin/bounce-handler --verp\n")
    t.script("home/webapp/bin/bounce-handler",
             "#!/bin/sh\n# records VERP bounces of the shop application\n"
             "exec /usr/bin/logger -t webapp-bounce \"$DEFAULT\"\n")

    # -- vpopmail --------------------------------------------------------------
    t.write("home/vpopmail/etc/defaultdomain", "example.com\n")
    t.write("home/vpopmail/etc/vlimits.default",
            "# Default limits file.  This file is used for domains without a\n"
            "# .qmailadmin-limits file.\n\nmaxpopaccounts\t\t-1\nmaxforwards\t\t-1\n"
            "maxautoresponders\t-1\nmaxmailinglists\t\t-1\n\nperm_account\t\t0\nperm_alias\t\t0\n")
    # vpopmail 5.4.33's build settings as its "make install" leaves them;
    # QMAIL_EXT: configured with --enable-qmail-ext (user-ext reaches user)
    t.write("home/vpopmail/include/vpopmail_config.h", VPOPMAIL_CONFIG_H)
    t.write("home/vpopmail/domains/.dir-control-dom_89",
            "5\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n0\n")

    by_dom = {}
    for u in users:
        by_dom.setdefault(u.domain, []).append(u)

    for dom, dusers in by_dom.items():
        ddir = DOMAIN_DIR[dom].lstrip("/")
        text = "".join(u.vpasswd_line() + "\n" for u in dusers)
        t.write(ddir + "/vpasswd", text, mode=0o600)
        write_cdb(t, ddir + "/vpasswd.cdb",
                  [(u.name, u.vpasswd_line().split(":", 1)[1]) for u in dusers])
        t.modes[ddir + "/vpasswd.cdb"] = 0o600
        t.write(ddir + "/.dir-control",
                "%d\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n%s\n"
                % (len(dusers), "0" if len(dusers) > 100 else ""))

    ec = DOMAIN_DIR["example.com"].lstrip("/")
    t.write(ec + "/.qmail-default", vdm("bounce-no-mailbox"))
    for name, content in DOT_QMAIL_EXAMPLE_COM.items():
        t.write(ec + "/" + name, content)
    t.write(DOMAIN_DIR["example.net"].lstrip("/") + "/.qmail-default",
            vdm("/home/vpopmail/domains/example.net/info"))
    t.write(DOMAIN_DIR["example.net"].lstrip("/") + "/.qmail-webmaster", "&alice@example.com\n")
    t.write(DOMAIN_DIR["oldbrand.example"].lstrip("/") + "/.qmail-default", vdm("delete"))
    t.write(DOMAIN_DIR["oldbrand.example"].lstrip("/") + "/.qmailadmin-limits",
            "maxpopaccounts\t\t10\nmaxforwards\t\t-1\ndisable_imap\n")
    t.write(DOMAIN_DIR["partner.example"].lstrip("/") + "/.qmail-default", vdm("sales@example.com"))

    # autoresponder directory of info@example.com (not a mailbox)
    t.write(ec + "/info/message",
            "From: info@example.com\nSubject: Thank you for contacting Example\n\n"
            "We received your message and will answer within one working day.\n")
    t.write(ec + "/info/.autorespond-note", "autorespond keeps its per-sender rate files here\n")

    # ezmlm list directory
    L = ec + "/announce"
    for name, content in [
            ("config", "F:-aBCdEfGHiJkLMnOpQRsTuVWXYZ\nX:\nD:/home/vpopmail/domains/example.com/announce\n"
                       "T:/home/vpopmail/domains/example.com/.qmail-announce\nL:announce\nH:example.com\nC:\n"),
            ("inlocal", "example.com-announce\n"), ("inhost", "example.com\n"),
            ("outlocal", "announce\n"), ("outhost", "example.com\n"),
            ("mailinglist", "contact announce-help@example.com; run by ezmlm\n"),
            ("num", "42:1763380000\n"),
            ("public", ""),
            ("headerremove", "return-path\nreturn-receipt-to\ncontent-length\nprecedence\n"),
            ("headeradd", "Precedence: bulk\n"),
            ("Log", "1701000000 +manual alice@example.com\n1702000000 +manual bob@example.com\n"
                    "1750000000 +subscribe customer1@remote.example\n"),
            ("key", "placeholder - the real list key was a random secret\n")]:
        t.write(L + "/" + name, content)
    t.write(L + "/subscribers/A", b"Talice@example.com\0Tcustomer1@remote.example\0")
    t.write(L + "/subscribers/K", b"Tbob@example.com\0")
    t.write(L + "/text/top", "Hi! This is the ezmlm program. I'm managing the\n<#l#>@<#h#> mailing list.\n\n")
    ann = fac.text("list owner <postmaster@example.com>", "announce-owner@example.com",
                   "bounce warning for announce", utc(2026, 11, 2, 4, 0, 0),
                   "Old bounce notice.\n", "1762056000.2222.ezmlm@example.com")
    t.write(L + "/Mailbox", b"From MAILER-DAEMON Mon Nov  2 04:00:00 2026\n" + ann + b"\n")

    # shared Maildir that no vpopmail user owns, and an mbox file
    arch = fac.text("Alice Liddell <alice@example.com>", "archive@example.com", "Signed contract 2026-118",
                    utc(2026, 11, 16, 10, 12, 0), "Scan attached (removed from the sample).\n",
                    "20261116101200.AL12@example.com", rpath="alice@example.com",
                    dto="example.com-archive@example.com")
    for sub, name, data in [add_msg(None, "cur", utc(2026, 11, 16, 10, 12, 1), arch, fac)]:
        t.write("%s/archive/Maildir/%s/%s" % (ec, sub, name), data)
    for sub in ("new", "tmp"):
        t.mkdir("%s/archive/Maildir/%s" % (ec, sub))
    m1 = fac.text("Old Vendor <billing@vendor.example>", "legacy@example.com", "Invoice 2009-17",
                  utc(2009, 3, 2, 9, 0, 0), "Please find the invoice below.\n",
                  "200903020900.V17@vendor.example", rpath="billing@vendor.example",
                  dto="example.com-legacy@example.com")
    m2 = fac.text("Old Vendor <billing@vendor.example>", "legacy@example.com", "Invoice 2026-11",
                  utc(2026, 11, 17, 9, 0, 0), "Please find the invoice below.\n",
                  "202611170900.V11@vendor.example", rpath="billing@vendor.example",
                  dto="example.com-legacy@example.com")
    t.write(ec + "/legacy/mbox",
            b"From billing@vendor.example Mon Mar  2 09:00:00 2009\n" + m1 + b"\n"
            + b"From billing@vendor.example Tue Nov 17 09:00:00 2026\n" + m2 + b"\n")

    # per-user .qmail files (read by vdelivermail, not by qmail-local)
    U = {u.addr: u for u in users}
    per_user = {
        "alice@example.com": ("# forward to home, keep a copy here\n"
                              "&alice.home@remote.example\n"
                              "/home/vpopmail/domains/example.com/alice/Maildir/\n"),
        "bob@example.com": "&bob@webmail.example\n",
        "carol@example.com": "| /var/qmail/bin/preline -f /usr/lib/dovecot/deliver -d $EXT@$USER\n",
        "victor@example.com": ("&victor@remote.example\n"
                               "/home/vpopmail/domains/example.com/0/victor/Maildir/\n"),
        "sales@oldbrand.example": "# brand merged into example.com in 2022\n&sales@example.com\n",
    }
    for addr, content in per_user.items():
        t.write(U[addr].pw_dir.lstrip("/") + "/.qmail", content)
    # per-user extension file (vpopmail built with --enable-qmail-ext)
    t.write(U["heidi@example.com"].pw_dir.lstrip("/") + "/.qmail-lists",
            "# heidi-lists@example.com goes to the Lists folder\n"
            "/home/vpopmail/domains/example.com/heidi/Maildir/.Lists/\n")

    # Maildirs and messages
    base_t = utc(2026, 11, 9, 7, 30, 0)
    allstaff = lambda u, i: fac.text(
        "IT department <postmaster@example.com>", "all-staff@example.com",
        "Mail server maintenance on 2026-11-21",
        base_t + i, "The mail server will be moved to new hardware on Saturday.\n"
        "Your password and your mail stay as they are.\n",
        "20261109073000.ALLSTAFF.%d@example.com" % i, rpath="postmaster@example.com",
        dto="%s" % u.addr)
    mailboxes = {}
    for i, u in enumerate(users):
        msgs = []
        if u.domain == "example.com":
            msgs.append(add_msg(u, "cur", base_t + 60 + i, allstaff(u, i), fac))
        mailboxes[u.addr] = msgs

    def deliver(addr, sub, t0, data, style="vdelivermail", flags="S"):
        mailboxes[addr].append(add_msg(None, sub, t0, data, fac, style, flags))

    def ext_msg(frm, to, subj, t0, mid, rfrom, dto, body="Hello,\n\nsee below.\n"):
        return fac.text(frm, to, subj, t0, body, mid, rpath=frm.split("<")[-1].rstrip(">"),
                        dto=dto, received_from=rfrom)

    deliver("alice@example.com", "new", utc(2026, 11, 18, 8, 1, 2),
            ext_msg("Newsletter <news@news.example>", "alice@example.com", "November news",
                    utc(2026, 11, 18, 8, 1, 2), "n2026-11.1@news.example",
                    ("mail.news.example", "198.51.100.40"), "alice@example.com"))
    deliver("alice@example.com", "cur", utc(2026, 11, 16, 9, 14, 0),
            ext_msg("Sam Sender <sam@sender.example>", "alice@example.com", "Quote for Q1",
                    utc(2026, 11, 16, 9, 14, 0), "q1.7781@sender.example",
                    ("mx1.sender.example", "203.0.113.25"), "alice@example.com"), flags="RS")
    deliver("bob@example.com", "cur", utc(2021, 6, 1, 12, 0, 0),
            ext_msg("Carol Danvers <carol@example.com>", "bob@example.com", "before the forward",
                    utc(2021, 6, 1, 12, 0, 0), "20210601.C1@example.com", None, "bob@example.com"))
    deliver("carol@example.com", "cur", utc(2026, 11, 17, 14, 2, 0),
            ext_msg("Bank <alerts@bank.example>", "carol@example.com", "Statement available",
                    utc(2026, 11, 17, 14, 2, 0), "st.99812@bank.example",
                    ("out.bank.example", "198.51.100.61"), "carol@example.com"), style="dovecot")
    deliver("carol@example.com", "new", utc(2026, 11, 18, 7, 45, 0),
            ext_msg("Sam Sender <sam@sender.example>", "carol@example.com", "Lunch?",
                    utc(2026, 11, 18, 7, 45, 0), "l.7790@sender.example",
                    ("mx1.sender.example", "203.0.113.25"), "carol@example.com"), style="dovecot")
    deliver("judy@example.com", "cur", utc(2026, 11, 16, 11, 0, 0),
            ext_msg("Alice Liddell <alice@example.com>", "sales@example.com", "Lead from the fair",
                    utc(2026, 11, 16, 11, 0, 0), "20261116.A5@example.com", None, "judy@example.com"))
    deliver("judy@example.com", "new", utc(2026, 11, 18, 9, 30, 0),
            ext_msg("Partner <contact@partner.example>", "nobody-known@partner.example", "Order 5521",
                    utc(2026, 11, 18, 9, 30, 0), "o5521@partner.example",
                    ("mail.partner.example", "198.51.100.52"), "judy@example.com"))
    deliver("kim@example.com", "new", utc(2026, 11, 17, 16, 20, 0),
            ext_msg("Customer <c.one@remote.example>", "info@example.com", "Opening hours",
                    utc(2026, 11, 17, 16, 20, 0), "oh.1@remote.example",
                    ("smtp.remote.example", "198.51.100.70"), "kim@example.com"))
    deliver("heidi@example.com", "cur", utc(2026, 11, 15, 6, 0, 0),
            ext_msg("Heidi <heidi@example.com>", "heidi@example.com", "note to self",
                    utc(2026, 11, 15, 6, 0, 0), "self.1@example.com", None, "heidi@example.com"))
    deliver("postmaster@example.com", "new", utc(2026, 11, 17, 3, 0, 0),
            fac.text("MAILER-DAEMON@mail.example.com", "postmaster@example.com",
                     "failure notice", utc(2026, 11, 17, 3, 0, 0),
                     "Hi. This is the qmail-send program at mail.example.com.\n"
                     "I tried to deliver a bounce message to this address, but the bounce bounced!\n",
                     "20261117030000.double@mail.example.com", rpath="",
                     dto="example.com-postmaster@example.com"))
    for k, (lp, ip) in enumerate([("random.guess", "203.0.113.77"), ("hr", "198.51.100.88")]):
        deliver("info@example.net", "new" if k else "cur", utc(2026, 11, 16 + k, 13, 5, 0),
                ext_msg("Someone <someone@remote.example>", "%s@example.net" % lp,
                        "message to %s@example.net" % lp, utc(2026, 11, 16 + k, 13, 5, 0),
                        "cn%d@remote.example" % k, ("smtp.remote.example", ip),
                        "%s@example.net" % lp))
    deliver("tom@oldbrand.example", "cur", utc(2020, 1, 10, 10, 0, 0),
            ext_msg("Tom <tom@remote.example>", "tom@oldbrand.example", "old times",
                    utc(2020, 1, 10, 10, 0, 0), "ot@remote.example",
                    ("smtp.remote.example", "198.51.100.70"), "tom@oldbrand.example"))
    deliver("sales@oldbrand.example", "cur", utc(2021, 12, 1, 10, 0, 0),
            ext_msg("Buyer <buyer@remote.example>", "sales@oldbrand.example", "catalogue 2022",
                    utc(2021, 12, 1, 10, 0, 0), "cat22@remote.example",
                    ("smtp.remote.example", "198.51.100.70"), "sales@oldbrand.example"))
    deliver("liaison@partner.example", "cur", utc(2026, 11, 10, 10, 0, 0),
            ext_msg("Judy Hopps <judy@example.com>", "liaison@partner.example", "joint offer",
                    utc(2026, 11, 10, 10, 0, 0), "jo@example.com", None, "liaison@partner.example"))

    heidi_lists = add_msg(None, "new", utc(2026, 11, 18, 6, 0, 0),
                          ext_msg("List <list@lists.example>", "heidi-lists@example.com", "[list] digest",
                                  utc(2026, 11, 18, 6, 0, 0), "dg1@lists.example",
                                  ("lists.example", "198.51.100.90"), "heidi-lists@example.com"), fac)
    alice_sent = add_msg(None, "cur", utc(2026, 11, 16, 9, 40, 0),
                         fac.text("Alice Liddell <alice@example.com>", "sam@sender.example",
                                  "Re: Quote for Q1", utc(2026, 11, 16, 9, 40, 0),
                                  "Thanks, looks good.\n", "20261116094000.A9@example.com"), fac)

    for u in users:
        md = u.pw_dir.lstrip("/") + "/Maildir"
        for sub in ("cur", "new", "tmp"):
            t.mkdir(md + "/" + sub)
        total, count = 0, 0
        for sub, name, data in mailboxes[u.addr]:
            t.write("%s/%s/%s" % (md, sub, name), data)
            total += len(data)
            count += 1
        if u.addr == "heidi@example.com":
            for sub in ("cur", "new", "tmp"):
                t.mkdir(md + "/.Lists/" + sub)
            t.write(md + "/.Lists/maildirfolder", "")
            sub, name, data = heidi_lists
            t.write("%s/.Lists/%s/%s" % (md, sub, name), data)
            total += len(data)
            count += 1
        if u.addr == "alice@example.com":
            for sub in ("cur", "new", "tmp"):
                t.mkdir(md + "/.Sent/" + sub)
            t.write(md + "/.Sent/maildirfolder", "")
            sub, name, data = alice_sent
            t.write("%s/.Sent/%s/%s" % (md, sub, name), data)
            total += len(data)
            count += 1
            t.write(md + "/courierimapsubscribed", "INBOX.Sent\n")
            uids = [n.split(":")[0] for s, n, d in sorted(mailboxes[u.addr], key=lambda x: x[1])]
            t.write(md + "/courierimapuiddb",
                    "1 1600000000 %d\n" % (len(uids) + 1)
                    + "".join("%d %s\n" % (k + 1, n) for k, n in enumerate(uids)))
        if u.addr == "carol@example.com":
            names = [n.split(":")[0] for s, n, d in sorted(mailboxes[u.addr], key=lambda x: x[1])]
            t.write(md + "/dovecot-uidlist",
                    "3 V1763420000 N%d G5f3c9a1e2b7d4c6a8e0f1a2b3c4d5e6f\n" % (len(names) + 1)
                    + "".join("%d :%s\n" % (k + 1, n) for k, n in enumerate(names)))
        if u.quota != "NOQUOTA":
            t.write(md + "/maildirsize", "%s\n%d %d\n" % (maildirquota(u.quota), total, count))

    # -- queue -------------------------------------------------------------------
    qsizes = gen_queue(t, fac)

    # -- services, tcprules, courier, xinetd, firewall, sysctl ------------------------
    gen_services(t)
    gen_etc(t)

    # -- logs -------------------------------------------------------------------------
    gen_logs(t, users, qsizes)
    return t


def maildirquota(q):
    """Normalise a vpopmail quota field the way format_maildirquota() does."""
    size = count = 0
    for p in q.split(","):
        if p.endswith("C"):
            count = int(p[:-1])
            continue
        if p[-1] in "Ss":
            p = p[:-1]
        if p[-1] in "Bb":
            p = p[:-1]
        digits = "".join(ch for ch in p if ch.isdigit())
        size = int(digits)
        if p[-1] in "Mm":
            size *= 1024 * 1024
        if p[-1] in "Kk":
            size *= 1024
    if count and size:
        return "%dS,%dC" % (size, count)
    if count:
        return "%dC" % count
    return "%dS" % size


# ---------------------------------------------------------------------------
# queue (qmail 1.03, conf-split 23)

SPLIT = 23


def gen_queue(t, fac):
    q = "var/qmail/queue"
    for d in ("bounce", "intd", "todo", "pid", "lock"):
        t.mkdir("%s/%s" % (q, d))
    for d in ("mess", "info", "local", "remote"):
        for n in range(SPLIT):
            t.mkdir("%s/%s/%d" % (q, d, n))
    t.write(q + "/lock/tcpto", b"\0" * 1024)
    t.write(q + "/lock/sendmutex", b"")
    t.fifo(q + "/lock/trigger")

    sizes = {}

    def mess(inode, data):
        sizes[inode] = len(b(data))
        t.write("%s/mess/%d/%d" % (q, inode % SPLIT, inode), data)

    def env(kind, inode, lines):
        t.write("%s/%s/%d/%d" % (q, kind, inode % SPLIT, inode),
                b"".join(b(x) + b"\0" for x in lines))

    # 1: remote recipients, one already delivered, one deferred
    i1 = 2148613
    t1 = utc(2026, 11, 18, 10, 2, 11)
    mess(i1, "Received: (qmail 30711 invoked by uid 89); %s\n" % qmaildate(t1) + fac.text(
        "Alice Liddell <alice@example.com>", "friend@remote.example, partner@webmail.example",
        "Agenda for Friday", t1, "Agenda attached (removed from the sample).\n",
        "20261118100211.30711@example.com").decode().split("\n", 1)[1])
    env("info", i1, ["Falice@example.com"])
    env("remote", i1, ["Dfriend@remote.example", "Tpartner@webmail.example"])

    # 2: local and remote recipients; local ones are stored rewritten (virtualdomains)
    i2 = 2148650
    t2 = utc(2026, 11, 18, 11, 40, 3)
    mess(i2, "Received: (qmail 31002 invoked from network); %s\n" % qmaildate(t2)
         + "Received: from mx1.sender.example (HELO mx1.sender.example) (203.0.113.25)\n"
           "  by mail.example.com with SMTP; %s\n" % qmaildate(t2)
         + fac.text("Sam Sender <sam@sender.example>",
                    "erin@example.com, judy@example.com, client@remote.example",
                    "Project kickoff", t2, "See you on Monday.\n",
                    "kick.3141@sender.example").decode().split("\n", 1)[1])
    env("info", i2, ["Fsam@sender.example"])
    env("local", i2, ["Texample.com-erin@example.com", "Dexample.com-judy@example.com"])
    env("remote", i2, ["Tclient@remote.example"])

    # 3: a bounce (null envelope sender) waiting for a remote host
    i3 = 2148702
    t3 = utc(2026, 11, 18, 12, 15, 40)
    body = ("Hi. This is the qmail-send program at mail.example.com.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            "<frank@example.com>:\nvdelivermail: account is locked email bounced frank@example.com\n\n"
            "--- Below this line is a copy of the message.\n\n"
            "Return-Path: <orders@shop.remote.example>\nSubject: your order\n\nThanks for your order.\n")
    mess(i3, "Received: (qmail 31340 invoked for bounce); %s\n" % qmaildate(t3)
         + "Date: %s\nFrom: MAILER-DAEMON@mail.example.com\nTo: orders@shop.remote.example\n"
           "Subject: failure notice\n\n" % rfc822date(t3) + body)
    env("info", i3, ["F"])
    env("remote", i3, ["Torders@shop.remote.example"])

    # 4: just injected: mess + intd + todo, qmail-send has not processed it yet
    i4 = 2148731
    t4 = utc(2026, 11, 18, 23, 58, 12)
    mess(i4, "Received: (qmail 31999 invoked from network); %s\n" % qmaildate(t4)
         + "Received: from mail.news.example (HELO mail.news.example) (198.51.100.40)\n"
           "  by mail.example.com with SMTP; %s\n" % qmaildate(t4)
         + fac.text("Newsletter <news@news.example>", "bob@example.com, carol@example.com",
                    "Weekly digest", t4, "This week's news.\n",
                    "w47.1@news.example").decode().split("\n", 1)[1])
    todo = b"u7791\0p31999\0Fnews@news.example\0Tbob@example.com\0Tcarol@example.com\0"
    t.write("%s/todo/%d" % (q, i4), todo)
    t.write("%s/intd/%d" % (q, i4), todo)

    # 5: a message for a local alias recipient, waiting for a local delivery retry
    i5 = 2148777
    t5 = utc(2026, 11, 18, 22, 10, 5)
    mess(i5, "Received: (qmail 31820 invoked by uid 0); %s\n" % qmaildate(t5)
         + "Date: %s\nFrom: root@mail.example.com\nTo: root@mail.example.com\n"
           "Subject: Cron <root@mail> /usr/local/sbin/backup.sh\n\nbackup finished\n" % rfc822date(t5))
    env("info", i5, ["Froot@mail.example.com"])
    env("local", i5, ["Troot@mail.example.com"])
    return sizes


# ---------------------------------------------------------------------------
# services and /etc

RUN_SMTPD = """#!/bin/sh
# qmail-smtpd on port 25 (Life with qmail style run script)
QMAILDUID=`id -u vpopmail`
NOFILESGID=`id -g vpopmail`
MAXSMTPD=`cat /var/qmail/control/concurrencyincoming`
LOCAL=`head -1 /var/qmail/control/me`
if [ -z "$QMAILDUID" -o -z "$NOFILESGID" -o -z "$MAXSMTPD" -o -z "$LOCAL" ]; then
    echo QMAILDUID, NOFILESGID, MAXSMTPD, or LOCAL is unset in
    echo /var/qmail/supervise/qmail-smtpd/run
    exit 1
fi
if [ ! -f /var/qmail/control/rcpthosts ]; then
    echo "No /var/qmail/control/rcpthosts!"
    echo "Refusing to start SMTP listener because it'll create an open relay"
    exit 1
fi
exec /usr/bin/envdir ./env \\
    /usr/bin/softlimit -m 64000000 \\
    /usr/bin/tcpserver -v -R -l "$LOCAL" -x /etc/tcp.smtp.cdb -c "$MAXSMTPD" \\
        -u "$QMAILDUID" -g "$NOFILESGID" 0 smtp \\
    /usr/bin/rblsmtpd -r zen.spamhaus.org \\
    /var/qmail/bin/qmail-smtpd mail.example.com /home/vpopmail/bin/vchkpw /usr/bin/true 2>&1
"""

RUN_SMTPS = """#!/bin/sh
# SMTP over TLS on port 465 through the TLS-patched tcpserver build ("tcpserver-ssl").
# The certificate path is compiled into that build (/var/qmail/control/servercert.pem).
# No handshake timeout is set.
exec /usr/bin/softlimit -m 64000000 \\
    /usr/local/bin/tcpserver-ssl -v -R -l mail.example.com -x /etc/tcp.smtp.cdb -c 100 \\
        -u 89 -g 89 0 465 \\
    /var/qmail/bin/qmail-smtpd mail.example.com /home/vpopmail/bin/vchkpw /usr/bin/true 2>&1
"""

RUN_SUBMISSION = """#!/bin/sh
# message submission on port 587; the SMTP AUTH patch (LOGIN PLAIN CRAM-MD5) with vchkpw.
# SMTPAUTH='!' makes authentication mandatory.
SMTPAUTH='!'
export SMTPAUTH
QMAIL_SMTPD_TIMEOUT=900
export QMAIL_SMTPD_TIMEOUT
MAXSUB=30
exec /usr/bin/softlimit -m 64000000 \\
    /usr/bin/tcpserver -v -R -H -l mail.example.com -c "$MAXSUB" -u 89 -g 89 0 587 \\
    /var/qmail/bin/qmail-smtpd mail.example.com /home/vpopmail/bin/vchkpw /usr/bin/true 2>&1
"""

RUN_POP3D = """#!/bin/sh
# POP3 on port 110: qmail-popup + vchkpw + qmail-pop3d (runs as root, vchkpw changes uid)
exec /usr/bin/softlimit -m 16000000 \\
    /usr/bin/tcpserver -v -R -H -l mail.example.com -c 40 0 pop3 \\
    /var/qmail/bin/qmail-popup mail.example.com \\
    /home/vpopmail/bin/vchkpw /var/qmail/bin/qmail-pop3d Maildir 2>&1
"""

RUN_SEND = """#!/bin/sh
exec env - PATH="/var/qmail/bin:$PATH" qmail-start ./Maildir/
"""


def logrun(name):
    return ("#!/bin/sh\nexec /usr/bin/setuidgid qmaill /usr/bin/multilog t s10000000 n20 "
            "/var/log/qmail/%s\n" % name)


TCP_SMTP = """# /etc/tcp.smtp - access rules for qmail-smtpd (tcprules format)
# rebuild after editing:  tcprules /etc/tcp.smtp.cdb /etc/tcp.smtp.tmp < /etc/tcp.smtp
127.:allow,RELAYCLIENT="",RBLSMTPD="",QMAILQUEUE="/var/qmail/bin/qmail-queue"
192.0.2.:allow,RELAYCLIENT="",RBLSMTPD=""
# office NAT: phones, tablets and PCs behind one address; big attachments allowed
203.0.113.10:allow,RELAYCLIENT="",RBLSMTPD="",DATABYTES="52428800"
# old fax gateway: recipients are numbers, RELAYCLIENT's value is appended to each one
192.0.2.50:allow,RELAYCLIENT="@fax"
# abusive hosts
198.51.100.23:deny
198.51.100.200-209:deny
=.dyn.isp.example:allow,RBLSMTPD="-Dynamic address; please use the relay of your provider."
198.51.100.99 deny
:allow,QMAILQUEUE="/var/qmail/bin/simscan",MAXCONNIP="20",MAXCONNC="40"
"""

COURIER_IMAPD = """##NAME: ADDRESS:0
#
# Address to listen on, can be set to a single IP address.
ADDRESS=0

##NAME: PORT:1
PORT=143

##NAME: MAXDAEMONS:0
#
#  Maximum number of IMAP servers started
MAXDAEMONS=40

##NAME: MAXPERIP:0
#
#  Maximum number of connections to accept from the same IP address
MAXPERIP=4

##NAME: PIDFILE:0
PIDFILE=/var/run/imapd.pid

##NAME: TCPDOPTS:0
TCPDOPTS="-nodnslookup -noidentlookup"

##NAME: LOGGEROPTS:0
LOGGEROPTS="-name=imapd"

##NAME: IMAP_CAPABILITY:1
IMAP_CAPABILITY="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE"
IMAP_KEYWORDS=1
IMAP_ACL=1
IMAP_CAPABILITY_ORIG="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA AUTH=CRAM-MD5 AUTH=CRAM-SHA1 AUTH=CRAM-SHA256 IDLE"
IMAP_PROXY=0
IMAP_IDLE_TIMEOUT=60
IMAP_MAILBOX_SANITY_CHECK=1
IMAP_CAPABILITY_TLS="$IMAP_CAPABILITY AUTH=PLAIN"
IMAP_TLS_REQUIRED=0
IMAP_DISABLETHREADSORT=0
IMAP_CHECK_ALL_FOLDERS=0
IMAP_OBSOLETE_CLIENT=0
IMAP_UMASK=022
IMAP_ULIMITD=131072
IMAP_USELOCKS=1
IMAP_SHAREDINDEXFILE=/etc/courier-imap/shared/index
IMAP_ENHANCEDIDLE=0
IMAP_TRASHFOLDERNAME=Trash
IMAP_EMPTYTRASH=Trash:7
IMAP_MOVE_EXPUNGE_TO_TRASH=0
SENDMAIL=/usr/sbin/sendmail
HEADERFROM=X-IMAP-Sender

##NAME: IMAPDSTART:0
IMAPDSTART=YES

##NAME: MAILDIRPATH:0
MAILDIRPATH=Maildir
"""

COURIER_IMAPD_SSL = """##NAME: SSLPORT:1
SSLPORT=993

##NAME: SSLADDRESS:0
SSLADDRESS=0

##NAME: SSLPIDFILE:0
SSLPIDFILE=/var/run/imapd-ssl.pid

##NAME: SSLLOGGEROPTS:0
SSLLOGGEROPTS="-name=imapd-ssl"

##NAME: IMAPDSSLSTART:0
IMAPDSSLSTART=YES

##NAME: IMAPDSTARTTLS:0
IMAPDSTARTTLS=YES

##NAME: IMAP_TLS_REQUIRED:1
IMAP_TLS_REQUIRED=0

##NAME: COURIERTLS:0
COURIERTLS=/usr/bin/couriertls

##NAME: TLS_PROTOCOL:0
TLS_PROTOCOL=SSL23

##NAME: TLS_STARTTLS_PROTOCOL:0
TLS_STARTTLS_PROTOCOL=TLS1

##NAME: TLS_CERTFILE:0
TLS_CERTFILE=/usr/share/courier-imap/imapd.pem

##NAME: TLS_VERIFYPEER:0
TLS_VERIFYPEER=NONE

##NAME: MAILDIRPATH:0
MAILDIRPATH=Maildir
"""

COURIER_POP3D = """##NAME: PIDFILE:0
PIDFILE=/var/run/pop3d.pid

##NAME: MAXDAEMONS:0
MAXDAEMONS=40

##NAME: MAXPERIP:4
MAXPERIP=4

##NAME: POP3AUTH:1
POP3AUTH=""

##NAME: PORT:1
PORT=110

##NAME: ADDRESS:0
ADDRESS=0

##NAME: TCPDOPTS:0
TCPDOPTS="-nodnslookup -noidentlookup"

##NAME: LOGGEROPTS:0
LOGGEROPTS="-name=pop3d"

##NAME: POP3DSTART:0
#
# POP3 on port 110 is served by qmail-popup/qmail-pop3d under tcpserver (/service/qmail-pop3d)
POP3DSTART=NO

##NAME: MAILDIRPATH:0
MAILDIRPATH=Maildir
"""

COURIER_POP3D_SSL = """##NAME: SSLPORT:1
SSLPORT=995

##NAME: SSLADDRESS:0
SSLADDRESS=0

##NAME: SSLPIDFILE:0
SSLPIDFILE=/var/run/pop3d-ssl.pid

##NAME: POP3DSSLSTART:0
#
# POP3S on port 995 is served by stunnel under xinetd (/etc/xinetd.d/pop3s)
POP3DSSLSTART=NO

##NAME: TLS_CERTFILE:0
TLS_CERTFILE=/usr/share/courier-imap/pop3d.pem
"""

XINETD_CONF = """#
# This is the master xinetd configuration file. Settings in the
# default section will be inherited by all service configurations
# unless explicitly overridden in the service configuration. See
# xinetd.conf in the man pages for a more detailed explanation of
# these attributes.

defaults
{
# The next two items are intended to be a quick access place to
# temporarily enable or disable services.
#
#	enabled		=
#	disabled	=

# Define general logging characteristics.
	log_type	= SYSLOG daemon info
	log_on_failure	= HOST
	log_on_success	= PID HOST DURATION EXIT

# Define access restriction defaults
	cps		= 50 10
	instances	= 50
	per_source	= 10

# Address and networking defaults
	v6only		= no

# setup environmental attributes
	groups		= yes
	umask		= 002
}

includedir /etc/xinetd.d
"""

XINETD_POP3S = """# default: on
# description: POP3 over TLS on port 995: stunnel in inetd mode runs
#	qmail-popup + vchkpw + qmail-pop3d for each connection.
service pop3s
{
	disable		= no
	socket_type	= stream
	protocol	= tcp
	wait		= no
	user		= root
	server		= /usr/bin/stunnel
	server_args	= /etc/stunnel/pop3s.conf
	instances	= 50
	per_source	= 10
	cps		= 50 10
	log_on_success	+= HOST DURATION
	log_on_failure	+= HOST
}
"""

XINETD_IMAP = """# default: off
# description: the old UW imapd, replaced by courier-imap in 2014.
service imap
{
	disable		= yes
	socket_type	= stream
	wait		= no
	user		= root
	server		= /usr/sbin/imapd
	instances	= 20
	per_source	= 5
	log_on_success	+= HOST DURATION
	log_on_failure	+= HOST
}
"""

STUNNEL_POP3S = """; stunnel in inetd mode for xinetd's pop3s service
cert = /etc/pki/tls/certs/mail.example.com.pem
key = /etc/pki/tls/private/mail.example.com.key
sslVersion = all
options = NO_SSLv2
options = NO_SSLv3
TIMEOUTbusy = 600
TIMEOUTidle = 600

[pop3s]
exec = /var/qmail/bin/qmail-popup
execargs = qmail-popup mail.example.com /home/vpopmail/bin/vchkpw /var/qmail/bin/qmail-pop3d Maildir
"""

IPTABLES = """# Generated by iptables-save v1.4.21 on Mon Nov 16 09:12:03 2026
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [1843:229311]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -m limit --limit 10/sec -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -s 192.0.2.0/24 -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 25 -m state --state NEW -m recent --set --name SMTP --mask 255.255.255.255 --rsource
-A INPUT -p tcp -m tcp --dport 25 -m state --state NEW -m recent --update --seconds 60 --hitcount 30 --name SMTP --mask 255.255.255.255 --rsource -j DROP
-A INPUT -p tcp -m state --state NEW -m tcp --dport 25 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 465 --tcp-flags FIN,SYN,RST,ACK SYN -m connlimit --connlimit-above 8 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -m tcp --dport 465 -m state --state NEW -m hashlimit --hashlimit-above 5/min --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name smtps --hashlimit-htable-expire 60000 -j DROP
-A INPUT -p tcp -m state --state NEW -m tcp --dport 465 -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 587 -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 110 -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 143 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 993,995 --tcp-flags FIN,SYN,RST,ACK SYN -m connlimit --connlimit-above 8 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -m multiport --dports 993,995 -m state --state NEW -m hashlimit --hashlimit-above 5/min --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name mailtls --hashlimit-htable-expire 60000 -j DROP
-A INPUT -p tcp -m multiport --dports 993,995 -m state --state NEW -j ACCEPT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
COMMIT
# Completed on Mon Nov 16 09:12:03 2026
"""

SYSCTL = """# System default settings live in /usr/lib/sysctl.d/00-system.conf.
# To override those settings, enter new settings here, or in an /etc/sysctl.d/<name>.conf file
#
# For more information, see sysctl.conf(5) and sysctl.d(5).

# stalled TLS clients on 465/993/995: find dead peers after 5 minutes
net.ipv4.tcp_keepalive_time = 300
net.ipv4.tcp_keepalive_intvl = 30
net.ipv4.tcp_keepalive_probes = 5
net.ipv4.tcp_fin_timeout = 30

# conntrack (connlimit/hashlimit rules in /etc/sysconfig/iptables)
net.netfilter.nf_conntrack_max = 262144
net.netfilter.nf_conntrack_tcp_timeout_established = 7200
"""

PASSWD = """root:x:0:0:root:/root:/bin/bash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
nobody:x:99:99:Nobody:/:/sbin/nologin
vpopmail:x:89:89::/home/vpopmail:/sbin/nologin
alias:x:7790:2108::/var/qmail/alias:/sbin/nologin
qmaild:x:7791:2108::/var/qmail:/sbin/nologin
qmaill:x:7792:2108::/var/qmail:/sbin/nologin
qmailp:x:7793:2108::/var/qmail:/sbin/nologin
qmailq:x:7794:2107::/var/qmail:/sbin/nologin
qmailr:x:7795:2107::/var/qmail:/sbin/nologin
qmails:x:7796:2107::/var/qmail:/sbin/nologin
webapp:x:1001:1001:shop application:/home/webapp:/bin/bash
"""

GROUP = """root:x:0:
bin:x:1:
daemon:x:2:
nobody:x:99:
vchkpw:x:89:
webapp:x:1001:
qmail:x:2107:
nofiles:x:2108:
"""

DOVECOT_CONF = """# Dovecot 2.2.36 (CentOS 7).  Installed in 2026 for deliver (LDA, used by
# carol@example.com's .qmail) and, from 2026-11-17 22:05 on, for IMAP instead of
# courier-imap (see /var/log/maillog).  Everything not set here is Dovecot's default:
# mail_max_userip_connections = 10, service imap-login process_limit = 100.
protocols = imap
listen = *
mail_location = maildir:~/Maildir
first_valid_uid = 89
passdb {
  driver = checkpassword
  args = /home/vpopmail/bin/vchkpw
}
userdb {
  driver = prefetch
}
ssl = yes
ssl_cert = </etc/pki/tls/certs/mail.example.com.pem
ssl_key = </etc/pki/tls/private/mail.example.com.key
"""


def gen_services(t):
    t.script("service/qmail-smtpd/run", RUN_SMTPD)
    t.write("service/qmail-smtpd/env/QMAIL_SMTPD_TIMEOUT", "300\n")
    t.script("service/qmail-smtpd/log/run", logrun("smtpd"))
    t.script("service/qmail-smtps/run", RUN_SMTPS)
    t.script("service/qmail-smtps/log/run", logrun("smtps"))
    t.script("service/qmail-submission/run", RUN_SUBMISSION)
    t.script("service/qmail-submission/log/run", logrun("submission"))
    t.script("service/qmail-pop3d/run", RUN_POP3D)
    t.script("service/qmail-pop3d/log/run", logrun("pop3d"))
    t.script("service/qmail-send/run", RUN_SEND)
    t.script("service/qmail-send/log/run", logrun("send"))


def gen_etc(t):
    t.write("etc/tcp.smtp", TCP_SMTP)
    path = t.p("etc/tcp.smtp.cdb")
    run(["tcprules", path, path + ".tmp"], TCP_SMTP.encode())
    os.chmod(path, 0o644)
    t.write("etc/courier-imap/imapd", COURIER_IMAPD)
    t.write("etc/courier-imap/imapd-ssl", COURIER_IMAPD_SSL)
    t.write("etc/courier-imap/pop3d", COURIER_POP3D)
    t.write("etc/courier-imap/pop3d-ssl", COURIER_POP3D_SSL)
    t.write("etc/courier-imap/authdaemonrc",
            'authmodulelist="authvchkpw"\nauthmodulelistorig="authvchkpw"\ndaemons=5\n'
            'authdaemonvar=/var/spool/authdaemon\nDEBUG_LOGIN=0\nDEFAULTOPTIONS=""\nLOGGEROPTS=""\n')
    t.write("etc/xinetd.conf", XINETD_CONF)
    t.write("etc/xinetd.d/pop3s", XINETD_POP3S)
    t.write("etc/xinetd.d/imap", XINETD_IMAP)
    t.write("etc/stunnel/pop3s.conf", STUNNEL_POP3S)
    t.write("etc/sysconfig/iptables", IPTABLES)
    t.write("etc/sysctl.conf", SYSCTL)
    t.write("etc/passwd", PASSWD)
    t.write("etc/group", GROUP)
    t.write("etc/hostname", "mail.example.com\n")
    t.write("etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n")
    t.write("etc/dovecot/dovecot.conf", DOVECOT_CONF)


# ---------------------------------------------------------------------------
# logs (2026-11-16 .. 2026-11-18, UTC)

DAY0 = utc(2026, 11, 16)


class Multilog:
    def __init__(self):
        self.lines = []

    def add(self, t, text):
        self.lines.append((t, text))

    def render(self):
        self.lines.sort(key=lambda x: x[0])
        out = []
        for t, text in self.lines:
            out.append("%s %s\n" % (tai64n(int(t), int((t - int(t)) * 1e9)), text))
        return "".join(out)


def tcpserver_sim(log, arrivals, limit, local, rnd, pidbox):
    """Log what tcpserver -v writes for the arrivals [(t, ip, host, duration, deny)].

    While all slots are busy tcpserver does not accept; a client waits up to 75 s and
    is accepted when a slot frees, else gives up (nothing is logged for it)."""
    busy = []   # heap of (end, pid, status)
    n = 0
    arrivals = sorted(arrivals)

    def free_until(tm):
        nonlocal n
        while busy and busy[0][0] <= tm:
            end, pid, st = heapq.heappop(busy)
            n -= 1
            log.add(end, "tcpserver: end %d status %d" % (pid, st))
            log.add(end + 0.0002, "tcpserver: status: %d/%d" % (n, limit))

    for tm, ip, host, dur, deny in arrivals:
        free_until(tm)
        if n >= limit:
            if busy[0][0] - tm > 75:
                continue
            tm = busy[0][0] + 0.0005
            free_until(tm)
        pidbox[0] += rnd.randint(1, 9)
        pid = pidbox[0]
        n += 1
        port = rnd.randint(32768, 60999)
        log.add(tm, "tcpserver: status: %d/%d" % (n, limit))
        log.add(tm + 0.0001, "tcpserver: pid %d from %s" % (pid, ip))
        if deny:
            log.add(tm + 0.0003, "tcpserver: deny %d %s %s:%s::%d" % (pid, local, host, ip, port))
            dur, st = 0.001, 256
        else:
            log.add(tm + 0.0003, "tcpserver: ok %d %s %s:%s::%d" % (pid, local, host, ip, port))
            st = 0
        heapq.heappush(busy, (tm + dur, pid, st))
    free_until(float("inf"))


def gen_logs(t, users, qsizes):
    rnd = random.Random(20261116)
    pidbox = [12000]
    senders = [("mx1.sender.example", "203.0.113.25"), ("mail.news.example", "198.51.100.40"),
               ("out.bank.example", "198.51.100.61"), ("smtp.remote.example", "198.51.100.70"),
               ("mail.partner.example", "198.51.100.52"), ("lists.example", "198.51.100.90"),
               ("", "198.51.100.131"), ("", "203.0.113.144")]
    # -- smtpd (port 25) ---------------------------------------------------------------
    smtpd = Multilog()
    arr = []
    for day in range(3):
        for k in range(110):
            tm = DAY0 + day * 86400 + rnd.uniform(6 * 3600, 22 * 3600)
            host, ip = rnd.choice(senders)
            arr.append((tm, ip, host, rnd.uniform(0.4, 6.0), False))
        for k in range(6):
            tm = DAY0 + day * 86400 + rnd.uniform(0, 86400)
            arr.append((tm, rnd.choice(["198.51.100.23", "198.51.100.203", "198.51.100.207"]), "",
                        0, True))
    # spam wave on 2026-11-18 14:00-14:25: tarpitted bots hold their slots for minutes
    wave = DAY0 + 2 * 86400 + 14 * 3600
    for k in range(330):
        tm = wave + rnd.uniform(0, 1200)
        ip = "198.51.100.%d" % rnd.randint(140, 190)
        arr.append((tm, ip, "", rnd.uniform(300, 900), False))
    tcpserver_sim(smtpd, arr, 100, "mail.example.com:192.0.2.10:25", rnd, pidbox)
    for k in range(12):
        tm = DAY0 + rnd.uniform(0, 3 * 86400)
        ip = "198.51.100.%d" % rnd.randint(140, 190)
        smtpd.add(tm, "rblsmtpd: %s pid %d: 451 http://www.spamhaus.org/query/bl?ip=%s" % (ip, 9000 + k, ip))
    t.write("var/log/qmail/smtpd/current", smtpd.render())

    # -- smtps (port 465): stalled TLS handshakes fill all 100 slots on the evening of 11-17
    smtps = Multilog()
    arr = []
    office = ["203.0.113.10", "203.0.113.11", "198.51.100.14"]
    for day in range(3):
        for k in range(45):
            tm = DAY0 + day * 86400 + rnd.uniform(7 * 3600, 19 * 3600)
            arr.append((tm, rnd.choice(office), "", rnd.uniform(1, 8), False))
    stall0 = DAY0 + 86400 + 19 * 3600 + 30 * 60
    restart = DAY0 + 2 * 86400 + 7 * 3600 + 52 * 60
    for k in range(140):
        tm = stall0 + k * rnd.uniform(20, 60)
        ip = "198.51.100.%d" % rnd.randint(220, 250)
        arr.append((tm, ip, "", 10 * 86400, False))     # never finish the handshake
    before = [a for a in arr if a[0] < restart]
    after = [a for a in arr if a[0] >= restart]
    log_before = Multilog()
    tcpserver_sim(log_before, before, 100, "mail.example.com:192.0.2.10:465", rnd, pidbox)
    for tm, text in log_before.lines:
        if tm < restart:
            smtps.lines.append((tm, text))
    smtps.add(restart, "tcpserver: status: 0/100")   # svc -t /service/qmail-smtps
    tcpserver_sim(smtps, after, 100, "mail.example.com:192.0.2.10:465", rnd, pidbox)
    t.write("var/log/qmail/smtps/current", smtps.render())

    # -- submission (587) and pop3d (110) ----------------------------------------------------
    sub = Multilog()
    arr = [(DAY0 + d * 86400 + rnd.uniform(7 * 3600, 20 * 3600), rnd.choice(office), "",
            rnd.uniform(1, 5), False) for d in range(3) for k in range(40)]
    tcpserver_sim(sub, arr, 30, "mail.example.com:192.0.2.10:587", rnd, pidbox)
    t.write("var/log/qmail/submission/current", sub.render())
    pop = Multilog()
    arr = [(DAY0 + d * 86400 + rnd.uniform(0, 86400), rnd.choice(office + ["198.51.100.33"]), "",
            rnd.uniform(1, 20), False) for d in range(3) for k in range(60)]
    tcpserver_sim(pop, arr, 40, "mail.example.com:192.0.2.10:110", rnd, pidbox)
    t.write("var/log/qmail/pop3d/current", pop.render())

    # -- qmail-send ---------------------------------------------------------------------------
    send = Multilog()
    tq = DAY0 + 2 * 86400 + 10 * 3600 + 2 * 60 + 11
    send.add(tq, "new msg 2148613")
    send.add(tq + 0.001, "info msg 2148613: bytes %d from <alice@example.com> qp 30711 uid 89" % qsizes[2148613])
    for k, (who, res) in enumerate([("friend@remote.example", "success: 198.51.100.70_accepted_message./Remote_host_said:_250_ok/"),
                                     ("partner@webmail.example", "deferral: Connected_to_198.51.100.81_but_connection_died._(#4.4.2)/")]):
        send.add(tq + 0.01 + k, "starting delivery %d: msg 2148613 to remote %s" % (5501 + k, who))
        send.add(tq + 2 + k, "delivery %d: %s" % (5501 + k, res))
    for hrs in (1, 3, 7):
        send.add(tq + hrs * 3600, "starting delivery %d: msg 2148613 to remote partner@webmail.example" % (5600 + hrs))
        send.add(tq + hrs * 3600 + 30, "delivery %d: deferral: Connected_to_198.51.100.81_but_connection_died._(#4.4.2)/" % (5600 + hrs))
    t2 = DAY0 + 2 * 86400 + 11 * 3600 + 40 * 60 + 3
    send.add(t2, "new msg 2148650")
    send.add(t2 + 0.001, "info msg 2148650: bytes %d from <sam@sender.example> qp 31002 uid 7791" % qsizes[2148650])
    send.add(t2 + 0.01, "starting delivery 5520: msg 2148650 to local example.com-judy@example.com")
    send.add(t2 + 0.02, "starting delivery 5521: msg 2148650 to local example.com-erin@example.com")
    send.add(t2 + 0.03, "starting delivery 5522: msg 2148650 to remote client@remote.example")
    send.add(t2 + 0.2, "delivery 5520: success: did_0+0+1/")
    send.add(t2 + 0.3, "delivery 5521: deferral: Unable_to_chdir_to_maildir._(#4.2.1)/")
    send.add(t2 + 31, "delivery 5522: deferral: Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/")
    t3 = DAY0 + 2 * 86400 + 12 * 3600 + 15 * 60 + 40
    send.add(t3 - 2, "delivery 5533: failure: vdelivermail:_account_is_locked_email_bounced_frank@example.com/")
    send.add(t3, "bounce msg 2148588 qp 31340")
    send.add(t3 + 0.01, "new msg 2148702")
    send.add(t3 + 0.02, "info msg 2148702: bytes %d from <> qp 31340 uid 7796" % qsizes[2148702])
    send.add(t3 + 0.03, "starting delivery 5534: msg 2148702 to remote orders@shop.remote.example")
    send.add(t3 + 40, "delivery 5534: deferral: Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/")
    t5 = DAY0 + 2 * 86400 + 22 * 3600 + 10 * 60 + 5
    send.add(t5, "new msg 2148777")
    send.add(t5 + 0.01, "info msg 2148777: bytes %d from <root@mail.example.com> qp 31820 uid 0" % qsizes[2148777])
    send.add(t5 + 0.02, "starting delivery 5590: msg 2148777 to local root@mail.example.com")
    send.add(t5 + 0.1, "delivery 5590: deferral: Unable_to_forward_message:_qq_trouble_creating_files_in_queue_(#4.3.0)/")
    send.add(DAY0 + 2 * 86400 + 23 * 3600 + 58 * 60 + 12, "status: local 0/20 remote 2/60")
    t.write("var/log/qmail/send/current", send.render())

    # -- syslog: /var/log/maillog ---------------------------------------------------------------
    sl = []
    clear_users = [u for u in users if u.clear and u.hash]
    syspid = [2100]

    def slog(tm, ident, msg):
        # vchkpw logs with LOG_PID; courierlogger and Dovecot lines carry no pid
        sl.append((tm, ident, msg))

    svc_of = {110: "pop3", 465: "smtps", 587: "submission"}
    for day in range(3):
        for k in range(120):
            tm = DAY0 + day * 86400 + rnd.uniform(6 * 3600, 22 * 3600)
            port = rnd.choice([110, 110, 110, 587, 465])
            u = rnd.choice(clear_users)
            ip = rnd.choice(office + ["198.51.100.33"])
            if u.flags & NO_POP and port == 110:
                slog(tm, "vpopmail", "vchkpw-pop3: pop access denied %s:%s" % (u.addr, ip))
            elif u.flags & NO_SMTP and port != 110:
                slog(tm, "vpopmail", "vchkpw-%s: smtp access denied %s:%s" % (svc_of[port], u.addr, ip))
            else:
                auth = "PLAIN" if port == 110 else rnd.choice(["LOGIN", "PLAIN", "CRAM-MD5"])
                slog(tm, "vpopmail", "vchkpw-%s: (%s) login success %s:%s" % (svc_of[port], auth, u.addr, ip))
        for k in range(25):
            tm = DAY0 + day * 86400 + rnd.uniform(0, 86400)
            bad = rnd.choice(["wrong-pass-1", "letmein-FAKE", "123456-FAKE", "password-FAKE"])
            u = rnd.choice(clear_users)
            ip = "198.51.100.%d" % rnd.randint(200, 230)
            port = rnd.choice([110, 465, 587])
            slog(tm, "vpopmail", "vchkpw-%s: password fail (pass: '%s') %s:%s" % (svc_of[port], bad, u.addr, ip))
        for k in range(15):
            tm = DAY0 + day * 86400 + rnd.uniform(0, 86400)
            lp = rnd.choice(["admin", "test", "info", "sales", "webmaster", "backup"])
            dom = rnd.choice(["example.com", "example.net", "oldbrand.example"])
            ip = "198.51.100.%d" % rnd.randint(200, 230)
            slog(tm, "vpopmail", "vchkpw-%s: vpopmail user not found %s@%s:%s"
                 % (rnd.choice(["smtps", "submission", "pop3"]), lp, dom, ip))
        slog(DAY0 + day * 86400 + 9 * 3600 + 5, "vpopmail",
             "vchkpw-submission: user has no password scanner@example.com:192.0.2.50")

    # courier-imap until 2026-11-17 22:00, then Dovecot 2.2
    switch = DAY0 + 86400 + 22 * 3600
    imap_users = [u for u in clear_users if not u.flags & NO_IMAP and u.domain != "oldbrand.example"]
    for k in range(260):
        tm = DAY0 + rnd.uniform(6 * 3600, switch - DAY0 - 1800)
        u = rnd.choice(imap_users)
        ip = rnd.choice(office)
        ident = rnd.choice(["imapd", "imapd-ssl", "imapd-ssl"])
        port = rnd.randint(40000, 60000)
        slog(tm, ident, "Connection, ip=[::ffff:%s]" % ip)
        slog(tm + 0.3, ident, "LOGIN, user=%s, ip=[::ffff:%s], port=[%d], protocol=IMAP" % (u.addr, ip, port))
        slog(tm + rnd.uniform(60, 1800), ident,
             "LOGOUT, user=%s, ip=[::ffff:%s], headers=%d, body=%d, rcvd=%d, sent=%d, time=%d"
             % (u.addr, ip, rnd.randint(0, 9000), rnd.randint(0, 90000), rnd.randint(100, 900),
                rnd.randint(500, 90000), rnd.randint(60, 1800)))
    # monday morning at the office NAT: the 5th connection from one address is refused
    for k in range(18):
        tm = DAY0 + 8 * 3600 + rnd.uniform(0, 5400)
        ip = rnd.choice(["203.0.113.10", "203.0.113.10", "203.0.113.11"])
        slog(tm, rnd.choice(["imapd", "imapd-ssl"]),
             "Maximum connection limit reached for ::ffff:%s" % ip)
    for k in range(4):
        tm = DAY0 + 86400 + 9 * 3600 + rnd.uniform(0, 1800)
        slog(tm, "imapd-ssl", "Maximum connection limit reached for ::ffff:203.0.113.10")
    slog(switch - 300, "imapd", "Stopping the IMAP server")   # admin
    slog(switch + 300, "dovecot", "master: Dovecot v2.2.36 (1f10bfa63) starting up for imap (core dumps disabled)")
    for k in range(180):
        tm = switch + 600 + rnd.uniform(0, 86400 * 0.95)
        if tm > DAY0 + 3 * 86400 - 60:
            continue
        u = rnd.choice(imap_users)
        ip = rnd.choice(office)
        sess = hashlib.sha256(("s%d" % k).encode()).hexdigest()[:16]
        slog(tm, "dovecot", "imap-login: Login: user=<%s>, method=PLAIN, rip=%s, lip=192.0.2.10, "
             "mpid=%d, TLS, session=<%s>" % (u.addr, ip, 30000 + k, sess))
        slog(tm + rnd.uniform(30, 3000), "dovecot",
             "imap(%s): Disconnected: Logged out in=%d out=%d" % (u.addr, rnd.randint(100, 900), rnd.randint(500, 90000)))
    tue = DAY0 + 2 * 86400
    for k in range(40):
        tm = tue + 8 * 3600 + rnd.uniform(0, 7200)
        u = rnd.choice([x for x in imap_users if x.name in ("alice", "judy", "kim", "carol", "bob")])
        sess = hashlib.sha256(("m%d" % k).encode()).hexdigest()[:16]
        slog(tm, "dovecot", "imap-login: Maximum number of connections from user+IP exceeded "
             "(mail_max_userip_connections=10): user=<%s>, method=PLAIN, rip=203.0.113.10, "
             "lip=192.0.2.10, TLS, session=<%s>" % (u.addr, sess))
    for k in range(6):
        tm = tue + 14 * 3600 + 5 * 60 + k * 170
        slog(tm, "dovecot", "master: Warning: service(imap-login): process_limit (100) reached, "
             "client connections are being dropped")
    sl.sort(key=lambda x: x[0])
    out = []
    for tm, ident, msg in sl:
        if ident == "vpopmail":
            syspid[0] += rnd.randint(1, 60)
            ident = "vpopmail[%d]" % syspid[0]
        out.append("%s mail %s: %s\n" % (syslogdate(tm), ident, msg))
    t.write("var/log/maillog", "".join(out))

    # -- syslog: /var/log/messages (xinetd) -----------------------------------------------------
    ml = []
    xpid = [40000]
    for day in range(3):
        for k in range(30):
            tm = DAY0 + day * 86400 + rnd.uniform(6 * 3600, 22 * 3600)
            ip = rnd.choice(office + ["198.51.100.33"])
            xpid[0] += rnd.randint(3, 40)
            dur = rnd.randint(1, 40)
            ml.append((tm, "%s mail xinetd[1187]: START: pop3s pid=%d from=::ffff:%s"
                       % (syslogdate(tm), xpid[0], ip)))
            ml.append((tm + dur, "%s mail xinetd[1187]: EXIT: pop3s status=0 pid=%d duration=%d(sec)"
                       % (syslogdate(tm + dur), xpid[0], dur)))
    for k in range(5):
        tm = DAY0 + 86400 + 8 * 3600 + 20 * 60 + k * 7
        ml.append((tm, "%s mail xinetd[1187]: FAIL: pop3s per_source_limit from=::ffff:203.0.113.10"
                   % syslogdate(tm)))
    ml.sort(key=lambda x: x[0])
    t.write("var/log/messages", "".join(line + "\n" for tm, line in ml))


# ---------------------------------------------------------------------------
# badhost


def gen_badhost(root):
    t = Tree(root)
    Q = "var/qmail"
    t.write(Q + "/control/me", "bad.example.com\n")
    t.write(Q + "/control/locals", "localhost\n")
    # CRLF line endings (edited on a Windows share)
    t.write(Q + "/control/rcpthosts", "bad.example\r\nmissing.example\r\n")
    t.write(Q + "/control/virtualdomains", "bad.example:bad.example\nmissing.example:missing.example\n"
                                          "no colon on this line\n")
    t.write(Q + "/users/assign",
            "+bad.example-:bad.example:89:89:/home/vpopmail/domains/bad.example:-::\n"
            "+broken.example-:broken.example:89:89\n"
            "+missing.example-:missing.example:89:89:/home/vpopmail/domains/missing.example:-::\n"
            ".\n")
    d = "home/vpopmail/domains/bad.example"
    good = make_hash("md5", "GoodUser-1", "bad.example/good")
    verify_hashes([("GoodUser-1", good)])
    t.write(d + "/vpasswd",
            "good:%s:1:0:Good User:/home/vpopmail/domains/bad.example/good:NOQUOTA:GoodUser-1\n"
            "short:xx:1:0:Too few fields\n"
            "flags:%s:1:zero:Non-numeric gid:/home/vpopmail/domains/bad.example/flags:NOQUOTA\n"
            "looper:%s:1:0:Home is a symlink loop:/home/vpopmail/domains/bad.example/looper:NOQUOTA\n"
            % (good, good, good), mode=0o600)
    t.write(d + "/.qmail-default", vdm("bounce-no-mailbox"))
    for sub in ("cur", "new", "tmp"):
        t.mkdir(d + "/good/Maildir/" + sub)
        t.mkdir(d + "/flags/Maildir/" + sub)
    t.write(d + "/.qmail-junk", b"&ok@example.com\n\x00\xff\xfe\x1b[2J\x80binary\x00junk\n\xc3\x28\n")
    t.write(d + "/.qmail-open", "&ok@example.com\n", mode=0o666)
    t.write(d + "/.qmail-secret", "&hidden@example.com\n", mode=0o000)
    t.symlink(d + "/.qmail-cycle", ".qmail-cycle2")
    t.symlink(d + "/.qmail-cycle2", ".qmail-cycle")
    t.symlink(d + "/looper", "looper2")
    t.symlink(d + "/looper2", "looper")
    t.write(d + "/good/.qmail", "\n&ok@example.com\n")   # first line blank
    return t


# ---------------------------------------------------------------------------
# oracle tables (hand-derived; see README "What the old host did with each address")

EC_FWD_ALICE = "alice.home@remote.example"
SALES = ("delivered", "alice@example.com,judy@example.com", EC_FWD_ALICE, "-")
EXPECTED_SPECIAL = [
    # address, outcome, mailboxes, forwards, pipes, why
    ("postmaster@example.com", "delivered", "postmaster@example.com", "-", "-", "vpopmail user"),
    ("alice@example.com", "delivered", "alice@example.com", EC_FWD_ALICE, "-",
     "user .qmail: &alice.home@remote.example + own Maildir line (forward and keep)"),
    ("alice-news@example.com", "delivered", "alice@example.com", EC_FWD_ALICE, "-",
     "extension: vdelivermail finds user alice (QMAIL_EXT), no .qmail-news/.qmail-default in her dir, so her .qmail"),
    ("bob@example.com", "forwarded", "-", "bob@webmail.example", "-",
     "user .qmail with only a forward: own Maildir not listed, no local copy"),
    ("carol@example.com", "delivered", "carol@example.com", "-", "-",
     "user .qmail pipes to dovecot deliver -d $EXT@$USER (= carol@example.com): LDA into her own Maildir"),
    ("dave@example.com", "delivered", "dave@example.com", "-", "-", "NO_POP does not affect delivery"),
    ("erin@example.com", "delivered", "erin@example.com", "-", "-", "NO_IMAP does not affect delivery"),
    ("frank@example.com", "bounced", "-", "-", "-", "BOUNCE_MAIL flag: vdelivermail exits 100"),
    ("grace@example.com", "delivered", "grace@example.com", "-", "-", "NO_SMTP does not affect delivery"),
    ("heidi@example.com", "delivered", "heidi@example.com", "-", "-", "plain mailbox"),
    ("heidi-lists@example.com", "delivered", "/home/vpopmail/domains/example.com/heidi/Maildir/.Lists/", "-", "-",
     "per-user extension file heidi/.qmail-lists (vpopmail --enable-qmail-ext)"),
    ("heidi-news@example.com", "delivered", "heidi@example.com", "-", "-",
     "extension without a per-user file: no .qmail-news, .qmail-default or .qmail in her dir -> her Maildir"),
    ("ivan@example.com", "delivered", "ivan@example.com", "-", "-", "no cleartext kept; password in tools/known-passwords.tsv"),
    ("judy@example.com", "delivered", "judy@example.com", "-", "-", "quota 52428800S,1000C"),
    ("john@example.com", "delivered", "john@example.com", "-", "-", "plain mailbox"),
    ("john.smith@example.com", "delivered", "john@example.com", "-", "-", ".qmail-john:smith (dots become colons)"),
    ("John.Smith@example.com", "delivered", "john@example.com", "-", "-", "qmail lower-cases the extension"),
    ("kim@example.com", "delivered", "kim@example.com", "-", "-", "plain mailbox"),
    ("mallory@example.com", "delivered", "mallory@example.com", "-", "-", "NO_POP|NO_IMAP"),
    ("scanner@example.com", "delivered", "scanner@example.com", "-", "-", "empty password field: mailbox without login"),
    ("olga@example.com", "delivered", "olga@example.com", "-", "-", "hashed dir 0/olga, no cleartext"),
    ("victor@example.com", "delivered", "victor@example.com", "victor@remote.example", "-",
     "hashed dir 0/victor; user .qmail forward and keep"),
    ("sales@example.com",) + SALES + (".qmail-sales: &alice (forward+keep) and &judy",),
    ("sales@example.org",) + SALES + ("alias domain -> example.com's .qmail-sales",),
    ("sales-owner@example.com", "delivered", "postmaster@example.com", "-", "-", ".qmail-sales-owner"),
    ("sales-foo@example.com", "bounced", "-", "-", "-",
     "no .qmail-sales-foo/.qmail-sales-default; vdelivermail: no user sales-foo or sales -> bounce-no-mailbox"),
    ("billing@example.com", "delivered", "kim@example.com", "accounting@remote.example", "-",
     ".qmail-billing: Maildir line + forward"),
    ("info@example.com", "delivered", "kim@example.com", "-",
     "/home/vpopmail/bin/autorespond 86400 3 /home/vpopmail/domains/example.com/info/message /home/vpopmail/domains/example.com/info",
     ".qmail-info: autoresponder pipe + Maildir line"),
    ("archive@example.com", "delivered", "/home/vpopmail/domains/example.com/archive/Maildir/", "-", "-",
     ".qmail-archive: Maildir of no vpopmail user"),
    ("legacy@example.com", "delivered", "/home/vpopmail/domains/example.com/legacy/mbox", "-", "-",
     ".qmail-legacy: mbox line (qmail-local appends)"),
    ("support@example.com", "delivered", "kim@example.com", "-", "-", ".qmail-support"),
    ("support-billing@example.com", "piped", "-", "-",
     "/usr/local/bin/rt-mailgate --queue support --action correspond --url https://rt.example.com/",
     ".qmail-support-default"),
    ("abuse@example.com", "delivered", "postmaster@example.com", "-", "-", ".qmail-abuse"),
    ("noreply@example.com", "deleted", "-", "-", "-", ".qmail-noreply holds only a comment: delivered nowhere"),
    ("announce@example.com", "piped", "-", "-",
     "/usr/local/bin/ezmlm/ezmlm-reject '/home/vpopmail/domains/example.com/announce',"
     "/usr/local/bin/ezmlm/ezmlm-send '/home/vpopmail/domains/example.com/announce'", "ezmlm list"),
    ("announce-subscribe@example.com", "piped", "-", "-",
     "/usr/local/bin/ezmlm/ezmlm-weed,"
     "/usr/local/bin/ezmlm/ezmlm-manage '/home/vpopmail/domains/example.com/announce'", ".qmail-announce-default"),
    ("announce-owner@example.com", "delivered", "/home/vpopmail/domains/example.com/announce/Mailbox", "-", "-",
     ".qmail-announce-owner: mbox in the list directory"),
    ("announce-return-42-customer1=remote.example@example.com", "piped", "-", "-",
     "/usr/local/bin/ezmlm/ezmlm-return -D '/home/vpopmail/domains/example.com/announce'",
     ".qmail-announce-return-default (longer -default wins over .qmail-announce-default)"),
    ("mailer-daemon@example.com", "bounced", "-", "-", "-", "no such vpopmail user, no .qmail-mailer-daemon in the domain"),
    ("nosuchuser@example.com", "bounced", "-", "-", "-", ".qmail-default bounce-no-mailbox"),
    # alias domain
    ("postmaster@example.org", "delivered", "postmaster@example.com", "-", "-", "alias domain of example.com"),
    ("alice@example.org", "delivered", "alice@example.com", EC_FWD_ALICE, "-", "alias domain"),
    ("bob@example.org", "forwarded", "-", "bob@webmail.example", "-", "alias domain"),
    ("frank@example.org", "bounced", "-", "-", "-",
     "alias domain: frank is BOUNCE_MAIL in example.com, vdelivermail exits 100 there too"),
    ("nosuchuser@example.org", "bounced", "-", "-", "-", "alias domain, example.com's bounce-no-mailbox"),
    # example.net: catch-all to info's Maildir
    ("postmaster@example.net", "delivered", "postmaster@example.net", "-", "-", "vpopmail user"),
    ("info@example.net", "delivered", "info@example.net", "-", "-", "catch-all target"),
    ("mike@example.net", "delivered", "mike@example.net", "-", "-", "DES, quota 5MB"),
    ("mike-foo@example.net", "delivered", "mike@example.net", "-", "-", "extension -> user mike (QMAIL_EXT)"),
    ("nina@example.net", "delivered", "nina@example.net", "-", "-", "no cleartext kept"),
    ("webmaster@example.net", "delivered", "alice@example.com", EC_FWD_ALICE, "-", ".qmail-webmaster -> alice@example.com"),
    ("nosuchuser@example.net", "delivered", "info@example.net", "-", "-",
     "catch-all: vdelivermail '' /home/vpopmail/domains/example.net/info -> info's Maildir"),
    ("random-x@example.net", "delivered", "info@example.net", "-", "-", "no user random -> catch-all"),
    ("nobody@example.net", "bounced", "-", "-", "-", "rejected at RCPT by control/badrcptto (the catch-all would have taken it)"),
    ("test@example.net", "bounced", "-", "-", "-", "rejected at RCPT by control/badrcptto"),
    # oldbrand.example: unknown users deleted
    ("postmaster@oldbrand.example", "delivered", "postmaster@oldbrand.example", "-", "-", "vpopmail user"),
    ("tom@oldbrand.example", "delivered", "tom@oldbrand.example", "-", "-", "plain mailbox (domain has disable_imap)"),
    ("sales@oldbrand.example",) + SALES + ("user .qmail forward only to sales@example.com",),
    ("nosuchuser@oldbrand.example", "deleted", "-", "-", "-", ".qmail-default delete"),
    # partner.example: unknown users forwarded to sales@example.com
    ("postmaster@partner.example", "delivered", "postmaster@partner.example", "-", "-", "domain dir hashed: domains/0/partner.example"),
    ("liaison@partner.example", "delivered", "liaison@partner.example", "-", "-", "quota 20MB"),
    ("nosuchuser@partner.example",) + SALES + (".qmail-default forwards to sales@example.com",),
    # local (control/locals) addresses: users/assign and ~alias
    ("postmaster@mail.example.com", "delivered", "postmaster@example.com", "-", "-", "~alias/.qmail-postmaster"),
    ("root@mail.example.com", "delivered", "postmaster@example.com", "-", "-", "~alias/.qmail-root"),
    ("mailer-daemon@mail.example.com", "delivered", "postmaster@example.com", "-", "-", "~alias/.qmail-mailer-daemon"),
    ("logwatch@mail.example.com", "delivered", "postmaster@example.com", "-", "-",
     "users/assign =logwatch -> alias, ext root -> ~alias/.qmail-root"),
    ("webapp-bounce@mail.example.com", "piped", "-", "-", "/home/webapp/bin/bounce-handler --verp",
     "users/assign +webapp- -> /home/webapp/.qmail-default (runs as uid 1001)"),
    ("nosuchuser@mail.example.com", "bounced", "-", "-", "-", "no local user, no ~alias/.qmail-default"),
    # relay-only domain
    ("anyone@backupmx.example", "forwarded", "-", "anyone@backupmx.example", "-",
     "relay domain (rcpthosts only): passed on unchanged via smtproutes to [192.0.2.30]:25"),
]
SPECIAL_ADDRS = {row[0].lower() for row in EXPECTED_SPECIAL}


def expected_rows(users):
    rows = list(EXPECTED_SPECIAL)
    bulk_ext_done = False
    for u in users:
        if u.addr in SPECIAL_ADDRS:
            continue
        rows.append((u.addr, "delivered", u.addr, "-", "-",
                     "plain mailbox" + (" (hashed dir 0/)" if "/0/" in u.pw_dir else "")))
        if not bulk_ext_done and "." in u.name:
            rows.append((u.name + "-shop@example.com", "delivered", u.addr, "-", "-",
                         "extension of a plain user -> that user (QMAIL_EXT)"))
            bulk_ext_done = True
    return rows


def domain_disables(dom):
    return NO_IMAP if dom == "oldbrand.example" else 0


def login_rows(users):
    rows = []
    for u in users:
        fl = u.flags | domain_disables(u.domain)
        src = "vpasswd" if u.clear else ("none" if u.kind == "none" else "known-passwords")
        def ok(bit):
            if u.kind == "none":
                return "fail"
            return "denied" if fl & bit else "ok"
        # from 127.0.0.1 vchkpw classed POP3 and IMAP as webmail
        # (NO_WEBMAIL applies, NO_POP/NO_IMAP do not; vchkpw.c 515-545),
        # from any other address (the _remote columns) NO_POP and NO_IMAP
        # do, as samples/realhost/*/logins.tsv shows; SMTP AUTH is never
        # webmail
        rows.append((u.addr, hash_kind_of(u.hash), src, ok(NO_WEBMAIL), ok(NO_WEBMAIL), ok(NO_SMTP),
                     "%#x" % fl, u.quota, maildirquota(u.quota) if u.quota != "NOQUOTA" else "-",
                     ok(NO_POP), ok(NO_IMAP)))
    return rows


# ---------------------------------------------------------------------------
# manifest + fixup


def write_manifest(tree, name):
    lines = ["# %s: what git cannot keep; applied by make-oldhost.py --fixup DIR --tree %s\n"
             % (name, name)]
    empties = []
    for dirpath, dirnames, filenames in os.walk(tree.root):
        if not dirnames and not filenames:
            empties.append(os.path.relpath(dirpath, tree.root))
    for e in sorted(empties):
        lines.append("dir\t%s\n" % e)
    for rel, mode in sorted(tree.modes.items()):
        lines.append("mode\t%04o\t%s\n" % (mode, rel))
    for rel in sorted(tree.fifos):
        lines.append("fifo\t%s\n" % rel)
    for rel, target in sorted(tree.links):
        lines.append("link\t%s\t%s\n" % (target, rel))
    with open(os.path.join(HERE, name + ".fixup"), "w") as f:
        f.write("".join(lines))


def fixup(root, name):
    man = os.path.join(HERE, name + ".fixup")
    with open(man) as f:
        entries = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
    for e in entries:
        if e[0] == "dir":
            os.makedirs(os.path.join(root, e[1]), exist_ok=True)
    for e in entries:
        if e[0] == "fifo":
            p = os.path.join(root, e[1])
            if not os.path.exists(p):
                os.mkfifo(p, 0o622)
    for e in entries:
        if e[0] == "link":
            p = os.path.join(root, e[2])
            if not os.path.islink(p):
                os.symlink(e[1], p)
    for e in entries:
        if e[0] == "mode":
            os.chmod(os.path.join(root, e[2]), int(e[1], 8))
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames + dirnames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                os.utime(p, (FIXED_MTIME, FIXED_MTIME))


# ---------------------------------------------------------------------------


def write_tsv(path, header, rows):
    with open(path, "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            for c in r:
                assert "\t" not in c and "\n" not in c, r
            f.write("\t".join(r) + "\n")


def generate():
    for tool in ("perl", "openssl", "cdb", "tcprules"):
        if shutil.which(tool) is None:
            sys.exit("make-oldhost: %s is needed (Debian: perl, openssl, tinycdb, ucspi-tcp)" % tool)
    users = build_users()
    for name in ("oldhost", "badhost"):
        root = os.path.join(SAMPLES, name)
        if os.path.exists(root):
            for dirpath, dirnames, filenames in os.walk(root):
                for n in dirnames:
                    p = os.path.join(dirpath, n)
                    if not os.path.islink(p):
                        os.chmod(p, 0o755)
                for n in filenames:
                    p = os.path.join(dirpath, n)
                    if not os.path.islink(p):
                        os.chmod(p, 0o644)
            shutil.rmtree(root)
    old = gen_oldhost(os.path.join(SAMPLES, "oldhost"), users)
    write_manifest(old, "oldhost")
    bad = gen_badhost(os.path.join(SAMPLES, "badhost"))
    write_manifest(bad, "badhost")
    # apply modes so the generated tree is immediately usable
    fixup(old.root, "oldhost")
    fixup(bad.root, "badhost")

    write_tsv(os.path.join(SAMPLES, "oldhost-expected.tsv"),
              ["address", "outcome", "mailboxes", "forwards", "pipes", "why"], expected_rows(users))
    write_tsv(os.path.join(SAMPLES, "oldhost-logins.tsv"),
              ["address", "hash", "password_from", "pop3", "imap", "smtp_auth", "flags",
               "quota_field", "quota_maildir", "pop3_remote", "imap_remote"], login_rows(users))
    kp = [(u.addr, u.pw) for u in users if not u.clear and u.kind != "none"]
    with open(os.path.join(HERE, "known-passwords.tsv"), "w") as f:
        f.write("# address\tpassword  (NOT part of a real host: cleartext of the mailboxes whose\n"
                "# vpasswd has no 8th field, so that tests can still log in with them)\n")
        for a, p in kp:
            f.write("%s\t%s\n" % (a, p))
    os.chmod(os.path.join(HERE, "known-passwords.tsv"), 0o644)


def main():
    ap = argparse.ArgumentParser(description="regenerate samples/oldhost and samples/badhost")
    ap.add_argument("command", nargs="?", choices=["generate"])
    ap.add_argument("--fixup", metavar="DIR")
    ap.add_argument("--tree", choices=["oldhost", "badhost"], default="oldhost")
    a = ap.parse_args()
    if a.fixup:
        fixup(a.fixup, a.tree)
    elif a.command == "generate":
        generate()
    else:
        ap.print_help()
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())
