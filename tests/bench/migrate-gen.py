#!/usr/bin/env python3
"""Generate a large old qmail + vpopmail host for the qmail2postfix benchmark.

migrate-gen.py [--passwords FILE] DIR [DOMAINS [USERS_PER_DOMAIN [QMAIL_FILES]]]
Defaults: 1000 domains x 100 mailboxes, 50000 .qmail files (half domain
aliases, half user forwards). Deterministic; needs only python3.

--passwords FILE: real hashes of known passwords in vpasswd, as a
vpopmail host has them (MD5-crypt mostly, every 10th SHA-512-crypt,
every 25th DES), no cleartext field, and the cleartexts in FILE
("address TAB password", what "qmail2postfix rehearse --passwords"
reads), so that every login of a rehearsal can succeed. Without it the
hashes are placeholders that match no password.
"""
import os
import sys


def take_passwords_option(argv):
    """--passwords FILE out of argv: (FILE or None, the rest)."""
    rest, path = [], None
    i = 0
    while i < len(argv):
        if argv[i] == "--passwords" and i + 1 < len(argv):
            path = argv[i + 1]
            i += 2
            continue
        if argv[i].startswith("--passwords="):
            path = argv[i][len("--passwords="):]
        else:
            rest.append(argv[i])
        i += 1
    return path, rest


def known_password_hash(di, u, pw):
    """vpasswd's hash of pw for user u of domain di: deterministic salts,
    the schemes a vpopmail host accumulates over the years."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    salt = "%04x%04x" % (di % 65536, u % 65536)
    if u % 25 == 24:
        return crypt.crypt(pw, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[di % 38] +
                           "abcdefghijklmnopqrstuvwxyz./"[u % 28])
    if u % 10 == 9:
        return crypt.crypt(pw, "$6$" + salt + "$")
    return crypt.crypt(pw, "$1$" + salt + "$")


pwfile, sys.argv[1:] = take_passwords_option(sys.argv[1:])
pwout = open(pwfile, "w") if pwfile else None
root = sys.argv[1]
ndom = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
nusr = int(sys.argv[3]) if len(sys.argv) > 3 else 100
nq = int(sys.argv[4]) if len(sys.argv) > 4 else 50000
q = os.path.join(root, "var/qmail")
vp = os.path.join(root, "home/vpopmail/domains")
os.makedirs(q + "/control", exist_ok=True)
os.makedirs(q + "/users", exist_ok=True)
doms = ["d%04d.example" % i for i in range(ndom)]
with open(q + "/control/me", "w") as f:
    f.write("mail.example.com\n")
with open(q + "/control/locals", "w") as f:
    f.write("localhost\nmail.example.com\n")
with open(q + "/control/rcpthosts", "w") as f:
    f.write("".join(d + "\n" for d in doms))
with open(q + "/control/virtualdomains", "w") as f:
    f.write("".join("%s:%s\n" % (d, d) for d in doms))
with open(q + "/users/assign", "w") as f:
    for d in doms:
        f.write("+%s-:%s:89:89:/home/vpopmail/domains/%s:-::\n" % (d, d, d))
    f.write(".\n")
per_dom_alias = nq // 2 // ndom
per_dom_user = nq // ndom - per_dom_alias
for di, d in enumerate(doms):
    dd = os.path.join(vp, d)
    os.makedirs(dd, exist_ok=True)
    with open(dd + "/.qmail-default", "w") as f:
        f.write("| /home/vpopmail/bin/vdelivermail '' bounce-no-mailbox\n")
    lines = []
    for u in range(nusr):
        name = "user%03d" % u
        # users past the first 100 live in a hashed dir, as vpopmail does
        home = "/home/vpopmail/domains/%s/%s" % (d, name)
        os.makedirs(root + home + "/Maildir/cur", exist_ok=True)
        if pwout is not None:
            pw = "pw%d-%d" % (di, u)
            lines.append("%s:%s:1:0:%s:%s:50000000S:\n" %
                         (name, known_password_hash(di, u, pw), name, home))
            pwout.write("%s@%s\t%s\n" % (name, d, pw))
        else:
            lines.append("%s:$1$abcdefgh$0123456789012345678901:1:0:%s:%s:"
                         "50000000S:pw%d\n" % (name, name, home, u))
        if u < per_dom_user:
            with open(root + home + "/.qmail", "w") as f:
                f.write("# forward and keep\n&%s@remote.example\n"
                        "%s/Maildir/\n" % (name, home))
    with open(dd + "/vpasswd", "w") as f:
        f.write("".join(lines))
    for a in range(per_dom_alias):
        with open(dd + "/.qmail-alias%03d" % a, "w") as f:
            f.write("&user%03d@%s\n&user%03d@%s\n" %
                    (a % nusr, d, (a + 1) % nusr, d))
if pwout is not None:
    pwout.close()


def add_mail(root, doms, nusr, per_box):
    """--mail=N (the sync benchmark): N messages of about 600 bytes in each
    mailbox's Maildir/cur, and the courierimapuiddb courier-imap kept."""
    t = 1790000000
    body = "x" * 480 + "\n"
    for d in doms:
        for u in range(nusr):
            md = "%s/home/vpopmail/domains/%s/user%03d/Maildir" % (root, d, u)
            os.makedirs(md + "/new", exist_ok=True)
            os.makedirs(md + "/tmp", exist_ok=True)
            lines = ["1 1700000000 %d\n" % (per_box + 1)]
            for m in range(per_box):
                t += 1
                name = "%d.%d.bench.example,S=600" % (t, 1000 + m)
                with open(md + "/cur/" + name + ":2,S", "w") as f:
                    f.write("From: a@example.org\nSubject: %d\n"
                            "Message-ID: <%d@b>\n\n%s" % (m, t, body))
                lines.append("%d %s\n" % (m + 1, name))
            with open(md + "/courierimapuiddb", "w") as f:
                f.write("".join(lines))


for a in sys.argv[5:]:
    if a.startswith("--mail="):
        add_mail(root, doms, nusr, int(a[7:]))
