#!/bin/bash
# Smoke test: tcpserver from the harness serves a tiny program on 127.0.0.1
# with the ucspi environment, logs status lines, and at -c 2 leaves the 3rd
# simultaneous client waiting (connected, no banner) until a slot frees, as
# the old host's tcpserver -c 100 did to its 101st SMTP client.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init smoke-tcpserver

# the program: a banner naming the peer, then hold the connection until the
# client sends a line or goes away
prog='printf "220 smoke %s:%s\r\n" "$TCPREMOTEIP" "$PROTO"; read -r line; echo "bye"'
if ! h_tcpserver_start -c 2 -- sh -c "$prog"; then
	tap_fail "tcpserver starts" "$(cat "$H_TCP_LOG" 2>/dev/null)"
	tap_done
fi
tap_ok "tcpserver listens on 127.0.0.1:$H_TCP_PORT (pid $H_TCP_PID)"

# One client; then 3 at once at -c 2: which got a banner within 1 s, and
# does the 3rd get one after the 1st hangs up?
out=$(python3 - "$H_TCP_PORT" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])

def banner(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(200).decode().strip()
    except socket.timeout:
        return "(none)"

s = socket.create_connection(("127.0.0.1", port), timeout=5)
print("single:", banner(s, 5))
s.sendall(b"quit\n")
print("single-after-line:", banner(s, 5))
s.close()
time.sleep(0.2)

conns = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
for i, c in enumerate(conns[:2], 1):
    print("conn%d:" % i, banner(c, 5))
print("conn3-before:", banner(conns[2], 1.0))
conns[0].close()
print("conn3-after:", banner(conns[2], 5))
for c in conns[1:]:
    c.close()
EOF
)
tap_diag "$out"
tap_check "banner from the program, with TCPREMOTEIP and PROTO" \
    grep -qx 'single: 220 smoke 127.0.0.1:TCP' <<<"$out"
tap_check "the program reads what the client sends" \
    grep -qx 'single-after-line: bye' <<<"$out"
tap_check "-c 2: the first two simultaneous clients are served" \
    bash -c "grep -qx 'conn1: 220 smoke 127.0.0.1:TCP' <<<'$out' && grep -qx 'conn2: 220 smoke 127.0.0.1:TCP' <<<'$out'"
tap_check "-c 2: the 3rd is connected but gets no banner" \
    grep -qx 'conn3-before: (none)' <<<"$out"
tap_check "-c 2: the 3rd is served once a slot frees" \
    grep -qx 'conn3-after: 220 smoke 127.0.0.1:TCP' <<<"$out"
tap_check "log has status: 2/2 and pid/ok/end lines" \
    bash -c "grep -q 'tcpserver: status: 2/2' '$H_TCP_LOG' &&
        grep -qE 'tcpserver: ok [0-9]+ localhost:127.0.0.1:$H_TCP_PORT :127.0.0.1::[0-9]+' '$H_TCP_LOG' &&
        grep -qE 'tcpserver: end [0-9]+ status 0' '$H_TCP_LOG'"
listen=$(ss -Hlnt "sport = :$H_TCP_PORT" | awk '{print $4}')
tap_check "listens on 127.0.0.1 only" test "$listen" = "127.0.0.1:$H_TCP_PORT"

h_tcpserver_stop
h_assert_no_leftovers
tap_done
