#!/usr/bin/env python3
# NAME	limits-gen.py - old-host logs for the limits benchmark
# DOES	writes about SIZE_MB of multilog (tcpserver) and syslog (vchkpw,
#	courier, xinetd, Dovecot) lines, mixed, to OUT; a seeded generator,
#	so every run writes the same bytes; 5000 client addresses
# NEVER	writes anywhere but OUT
import random, sys

out, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rnd = random.Random(5)
ips = ["198.51.100.%d" % (i % 250 + 1) if i < 250 else
       "203.0.113.%d" % (i % 250 + 1) if i < 500 else
       "10.%d.%d.%d" % (i // 65536 % 256, i // 256 % 256, i % 256)
       for i in range(5000)]
users = ["user%d@example.com" % i for i in range(2000)]
MON = ["Nov"]

def chunk(t0, n):
    lines, t, pid, open_ = [], t0, 10000, []
    for i in range(n):
        t += rnd.random() * 0.5
        tai = "@4000000%09x%08x" % (int(t) + 10, rnd.randrange(1 << 30))
        k = rnd.randrange(10)
        ip = rnd.choice(ips)
        if k < 4 and len(open_) < 60:
            pid += 1
            open_.append(pid)
            lines.append("%s tcpserver: status: %d/100\n" % (tai, len(open_)))
            lines.append("%s tcpserver: pid %d from %s\n" % (tai, pid, ip))
            lines.append("%s tcpserver: ok %d mail.example.com:192.0.2.10:25 "
                         ":%s::%d\n" % (tai, pid, ip, rnd.randrange(1024, 65535)))
        elif k < 8 and open_:
            p = open_.pop(rnd.randrange(len(open_)))
            lines.append("%s tcpserver: end %d status 0\n" % (tai, p))
        else:
            s = int(t) % 86400
            stamp = "Nov %2d %02d:%02d:%02d" % (16 + int(t) // 86400 % 3,
                                                s // 3600, s // 60 % 60, s % 60)
            # a user logs in from its own one or two addresses
            ui = rnd.randrange(len(users))
            u = users[ui]
            ip = ips[(ui * 7 + rnd.randrange(2)) % len(ips)]
            lines.append(rnd.choice([
                "%s mail vpopmail[%d]: vchkpw-pop3: (PLAIN) login success %s:%s\n"
                % (stamp, pid, u, ip),
                "%s mail vpopmail[%d]: vchkpw-smtps: password fail (pass: "
                "'xx') %s:%s\n" % (stamp, pid, u, ip),
                "%s mail imapd-ssl: LOGIN, user=%s, ip=[::ffff:%s], port=[%d], "
                "protocol=IMAP\n" % (stamp, u, ip, pid),
                "%s mail imapd-ssl: LOGOUT, user=%s, ip=[::ffff:%s], headers=0, "
                "body=0, rcvd=10, sent=20, time=3\n" % (stamp, u, ip),
                "%s mail dovecot: imap-login: Login: user=<%s>, method=PLAIN, "
                "rip=%s, lip=192.0.2.10, mpid=%d, TLS, session=<abc%d>\n"
                % (stamp, u, ip, pid, pid),
                "%s mail dovecot: imap(%s): Disconnected: Logged out in=1 "
                "out=2\n" % (stamp, u),
                "%s mail xinetd[1187]: START: pop3s pid=%d from=::ffff:%s\n"
                % (stamp, pid, ip),
            ]))
    return "".join(lines)

t0 = 1794808800
block = chunk(t0, 200000).encode()
with open(out, "wb") as f:
    written = 0
    while written < size:
        f.write(block)
        written += len(block)
