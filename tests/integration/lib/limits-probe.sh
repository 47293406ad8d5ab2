# shellcheck shell=bash
#
# NAME		limits-probe.sh - connection-limit probes against real servers
# DOES		opens bounded numbers of TCP connections from chosen loopback
#		source addresses and reports what each one got: a banner, a
#		421, nothing yet (deferred), a reset, a BYE, a refusal after
#		login, or when an idle/stalled client was cut off; records
#		each outcome for a before/after table
# NEVER		connects anywhere but 127.0.0.0/8 (or inside a network
#		namespace the caller made), opens more than 64 connections
#		per probe, waits longer than its time limit
#
# Used by tests/integration/limits-live.sh and by
# "qmail2postfix rehearse OUT --limits". Source it, then call:
#
#	lp_count PORT N SRC OTHER	N+1 connections from SRC, one from OTHER;
#					prints "conn1=220 ... connN1=421 other=220"
#	lp_multi PORT SRC...		one connection per SRC, all held;
#					prints "SRC=220 SRC=refused ..."
#	lp_serve PORT SECS		banner server (inside a test namespace)
#	lp_defer PORT N			N+1 connections; prints whether the
#					last got no banner until one closed
#	lp_idle PORT SECS [tls]		silent client; prints "cut=S" (seconds
#					until the server closed) or "cut=none"
#	lp_imap_userip PORT USER PASS N	N+1 logins held open; "last=..."
#	lp_pop3_userip PORT USER PASS N	same for POP3
#	lp_login_drop PORT N		N+1 connections before login; which
#					ones got "* BYE"
#	lp_record ROW WHEN OUTCOME	remember an outcome (WHEN: before|after)
#	lp_table			the before/after table of the records

LP_RECORDS=()

_lp_py() {
	python3 - "$@" <<'EOF'
import socket, sys, time, os, ssl

MAXCONN = 64

def conn(port, src="127.0.0.1", timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s

def first_line(s, wait):
    s.settimeout(wait)
    data = b""
    try:
        while not data.endswith(b"\n"):
            c = s.recv(512)
            if not c:
                return "closed" if not data else data.decode(errors="replace").strip()
            data += c
    except socket.timeout:
        return "none" if not data else data.decode(errors="replace").strip()
    except ConnectionResetError:
        return "reset"
    return data.decode(errors="replace").strip()

def code(line):
    return line.split()[0] if line and line[0].isdigit() else line

mode = sys.argv[1]
if mode == "count":
    port, n, src, other = int(sys.argv[2]), min(int(sys.argv[3]), MAXCONN), sys.argv[4], sys.argv[5]
    socks, out = [], []
    for i in range(n + 1):
        try:
            s = conn(port, src)
            socks.append(s)
            out.append("conn%d=%s" % (i + 1, code(first_line(s, 3))))
        except (ConnectionRefusedError, ConnectionResetError):
            out.append("conn%d=refused" % (i + 1))
        except socket.timeout:
            out.append("conn%d=timeout" % (i + 1))
    try:
        s = conn(port, other)
        socks.append(s)
        out.append("other=%s" % code(first_line(s, 3)))
    except (ConnectionRefusedError, ConnectionResetError):
        out.append("other=refused")
    except socket.timeout:
        out.append("other=timeout")
    for s in socks:
        s.close()
    print(" ".join(out))
elif mode == "multi":
    port, srcs = int(sys.argv[2]), sys.argv[3:3 + MAXCONN]
    socks, out = [], []
    for src in srcs:
        try:
            s = conn(port, src, 3)
            socks.append(s)
            out.append("%s=%s" % (src, code(first_line(s, 3))))
        except (ConnectionRefusedError, ConnectionResetError):
            out.append("%s=refused" % src)
        except socket.timeout:
            out.append("%s=timeout" % src)
    for s in socks:
        s.close()
    print(" ".join(out))
elif mode == "serve":
    # a banner server for the namespace test: bounded in time and count
    port, secs = int(sys.argv[2]), float(sys.argv[3])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(64)
    ls.settimeout(0.2)
    held, t0 = [], time.monotonic()
    while time.monotonic() - t0 < secs and len(held) < 256:
        try:
            c, _ = ls.accept()
            c.sendall(b"220 namespace\r\n")
            held.append(c)
        except socket.timeout:
            pass
    for c in held:
        c.close()
elif mode == "defer":
    port, n = int(sys.argv[2]), min(int(sys.argv[3]), MAXCONN)
    # distinct sources, so that a per-IP limit does not answer first
    socks = [conn(port, "127.0.0.%d" % (10 + i)) for i in range(n + 1)]
    got = [code(first_line(s, 2 if i < n else 1.5)) for i, s in enumerate(socks)]
    last = got[-1]
    socks[0].close()
    after = code(first_line(socks[-1], 5)) if last == "none" else last
    for s in socks[1:]:
        s.close()
    print("first=%s last=%s after_close=%s" % (got[0], last, after))
elif mode == "idle":
    port, limit, tls = int(sys.argv[2]), float(sys.argv[3]), len(sys.argv) > 4
    s = conn(port)
    t0 = time.monotonic()
    s.settimeout(0.2)
    cut = None
    while time.monotonic() - t0 < limit:
        try:
            c = s.recv(4096)
            if not c:
                cut = time.monotonic() - t0
                break
        except socket.timeout:
            continue
        except ConnectionResetError:
            cut = time.monotonic() - t0
            break
    s.close()
    print("cut=%s" % ("none" if cut is None else "%.1f" % cut))
elif mode in ("imap", "pop3"):
    port, user, n = int(sys.argv[2]), sys.argv[3], min(int(sys.argv[4]), MAXCONN)
    pw = os.environ["LP_PW"]
    socks, results = [], []
    for i in range(n + 1):
        s = conn(port)
        socks.append(s)
        first_line(s, 3)
        if mode == "imap":
            s.sendall(b"a LOGIN " + user.encode() + b" " + pw.encode() + b"\r\n")
            r = ""
            while True:
                line = first_line(s, 5)
                if line.startswith("a ") or line in ("none", "closed", "reset"):
                    r = line
                    break
                if line.startswith("* BYE"):
                    r = line
                    break
        else:
            s.sendall(b"USER " + user.encode() + b"\r\n")
            first_line(s, 3)
            s.sendall(b"PASS " + pw.encode() + b"\r\n")
            r = first_line(s, 5)
        results.append(r)
    ok = sum(1 for r in results if r.startswith("a OK") or r.startswith("+OK"))
    for s in socks:
        s.close()
    print("ok=%d last=%s" % (ok, results[-1].replace(" ", "_")))
elif mode == "drop":
    port, n = int(sys.argv[2]), min(int(sys.argv[3]), MAXCONN)
    socks, greet = [], []
    for i in range(n + 1):
        s = conn(port)
        socks.append(s)
        greet.append(first_line(s, 3)[:4])
        time.sleep(0.2)
    time.sleep(0.5)
    states = []
    for s in socks:
        line = first_line(s, 0.5)
        states.append("bye" if line.startswith("* BYE") else
                      "closed" if line in ("closed", "reset") else "open")
    for s in socks:
        s.close()
    print("greetings=%s states=%s" % (",".join(g.strip() or "-" for g in greet), ",".join(states)))
EOF
}

lp_count() { _lp_py count "$@"; }
lp_multi() { _lp_py multi "$@"; }
lp_serve() { _lp_py serve "$@"; }
lp_defer() { _lp_py defer "$@"; }
lp_idle() { _lp_py idle "$@"; }
lp_imap_userip() { LP_PW=$3 _lp_py imap "$1" "$2" "$4"; }
lp_pop3_userip() { LP_PW=$3 _lp_py pop3 "$1" "$2" "$4"; }
lp_login_drop() { _lp_py drop "$@"; }

# lp_record ROW before|after OUTCOME
lp_record() {
	LP_RECORDS+=("$1|$2|$3")
}

# lp_table: one line per row, the old host's outcome beside the new one's
lp_table() {
	local r row when what rows=() seen
	printf '%-44s | %-34s | %s\n' "probe" "old (tcpserver)" "new (Postfix/Dovecot/nftables)"
	for r in "${LP_RECORDS[@]}"; do
		row=${r%%|*}
		seen=0
		for what in "${rows[@]}"; do
			[ "$what" = "$row" ] && seen=1
		done
		[ $seen = 1 ] || rows+=("$row")
	done
	for row in "${rows[@]}"; do
		local before="-" after="-"
		for r in "${LP_RECORDS[@]}"; do
			[ "${r%%|*}" = "$row" ] || continue
			when=${r#*|}
			what=${when#*|}
			when=${when%%|*}
			[ "$when" = before ] && before=$what
			[ "$when" = after ] && after=$what
		done
		printf '%-44s | %-34s | %s\n' "$row" "$before" "$after"
	done
}
