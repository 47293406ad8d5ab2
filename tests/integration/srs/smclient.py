#!/usr/bin/env python3
"""smclient.py - a socketmap client for the srs-map tests.

  smclient.py query SPEC REQUEST...      one netstring request each, prints
                                         the reply payload per line
  smclient.py raw SPEC BYTES|- WAIT      sends BYTES (- : stdin), waits up to WAIT s,
                                         prints the reply or CLOSED/TIMEOUT
  smclient.py concurrent SPEC CONNS N    CONNS connections at once, each
                                         N forward+reverse round trips;
                                         prints "ok" when every reverse
                                         gives back its input
SPEC is unix:PATH or inet:HOST:PORT, as srs-map takes it.
"""
import socket
import sys
import threading


def connect(spec):
    if spec.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(spec[5:])
    else:
        host, port = spec[5:].rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)))
    return s


def netstring(b):
    return b"%d:%s," % (len(b), b)


def read_reply(s):
    buf = b""
    while True:
        if b":" in buf:
            n, rest = buf.split(b":", 1)
            if len(rest) >= int(n) + 1:
                return rest[: int(n)]
        d = s.recv(65536)
        if not d:
            raise EOFError("closed")
        buf += d


def query(s, req):
    s.sendall(netstring(req.encode()))
    return read_reply(s).decode()


def main():
    mode, spec = sys.argv[1], sys.argv[2]
    if mode == "query":
        s = connect(spec)
        for r in sys.argv[3:]:
            print(query(s, r))
        return 0
    if mode == "raw":
        s = connect(spec)
        s.settimeout(float(sys.argv[4]))
        data = sys.stdin.buffer.read() if sys.argv[3] == "-" else sys.argv[3].encode()
        s.sendall(data)
        try:
            d = s.recv(65536)
            if d and len(sys.argv) > 5:  # wait for that many replies
                while d.count(b",") < int(sys.argv[5]):
                    more = s.recv(65536)
                    if not more:
                        break
                    d += more
            print(d.decode(errors="replace") if d else "CLOSED")
        except socket.timeout:
            print("TIMEOUT")
        except ConnectionResetError:
            print("CLOSED")
        return 0
    if mode == "concurrent":
        conns, n = int(sys.argv[3]), int(sys.argv[4])
        socks = [connect(spec) for _ in range(conns)]  # all open at once
        errors = []
        barrier = threading.Barrier(conns)

        def work(i, s):
            barrier.wait()
            try:
                for j in range(n):
                    a = "user%d.%d@sender%d.example" % (i, j, j % 7)
                    f = query(s, "forward " + a)
                    if not f.startswith("OK SRS0="):
                        errors.append("forward %s: %s" % (a, f))
                        return
                    r = query(s, "reverse " + f[3:])
                    if r != "OK " + a:
                        errors.append("reverse %s: %s" % (f[3:], r))
                        return
            except Exception as e:  # a dropped connection is a failure
                errors.append("conn %d: %r" % (i, e))

        ts = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(socks)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        print("ok" if not errors else "\n".join(errors[:5]))
        return 0
    return 2


sys.exit(main())
