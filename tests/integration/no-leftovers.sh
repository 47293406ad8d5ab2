#!/bin/bash
# Acceptance check of the harness: with `ss -ltnp`/`ss -lunp` before and
# after, start every server through the harness (NSD, Postfix with the
# OpenDKIM milter, Dovecot, OpenDKIM, postsrsd, tcpserver), check each
# listens on loopback only, stop them, and fail if anything new of this test
# still listens or any of its processes lives. Then the same for two child
# tests that never stop their servers: one fails and exits, one is killed
# with SIGTERM; the harness's exit trap must clean up after both.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"

# start_all [SERVER...]: the servers named (default: all six), configured
# the way the smoke tests use them
start_all() {
	local z=$H_DIR/zones k=$H_DIR/keys want=" ${*:-nsd opendkim postfix dovecot postsrsd tcpserver} "
	mkdir -p "$z"
	h_dkim_genkey "$k" example.com q2p 1024 || return 1
	{
		printf '$ORIGIN example.com.\n$TTL 300\n'
		printf '@ SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300\n'
		printf '@ NS ns1\nns1 A 192.0.2.53\n@ MX 10 mx1\nmx1 A 198.51.100.25\n'
		sed 's/;[^"]*DKIM key.*$//' "$k/q2p.txt"
	} >"$z/example.com.zone"
	printf 'user@example.com:%s:%s:%s::::\n' \
	    "$(h_crypt sha512 'Sup3r-secret')" 89 89 >"$H_DIR/passwd"
	printf 'no-leftovers-secret\n' >"$H_DIR/srs.secret"
	if [[ $want == *" nsd "* ]]; then
		h_nsd_start "$z" || return 1
	fi
	if [[ $want == *" opendkim "* ]]; then
		h_opendkim_start "$k" example.com q2p || return 1
	fi
	if [[ $want == *" postfix "* ]]; then
		h_postfix_setup "" ${H_DKIM_MILTER:+"smtpd_milters = $H_DKIM_MILTER"} &&
		    h_postfix_start || return 1
	fi
	if [[ $want == *" dovecot "* ]]; then
		h_dovecot_setup "" "$H_DIR/passwd" && h_dovecot_start || return 1
	fi
	if [[ $want == *" postsrsd "* ]]; then
		h_postsrsd_start "$H_DIR/srs.secret" srs.example.com || return 1
	fi
	if [[ $want == *" tcpserver "* ]]; then
		h_tcpserver_start -c 3 -- sh -c 'echo hello; sleep 30' || return 1
	fi
}

# ---- child mode: start everything, record it, then fail or wait for a signal
if [ "${1:-}" = --child ]; then
	mode=$2 out=$3
	shift 3
	h_init "leftover-$mode"
	start_all "$@" || { tap_fail "child could not start the servers"; exit 2; }
	# a client holding a tcpserver child, so that one outlives the listener
	(exec 3<>"/dev/tcp/127.0.0.1/$H_TCP_PORT" && read -r -u 3 line && sleep 30) &
	sleep 0.3
	{
		echo "dir $H_DIR"
		for p in $(h_ports); do echo "port $p"; done
		for p in "${H_PIDS[@]}" "$H_POSTFIX_PID" "$H_DOVECOT_PID" "$H_NSD_PID"; do
			echo "pid $p"
			for k in $(_h_descendants "$p"); do echo "pid $k"; done
		done
	} >"$out/record.tmp"
	mv "$out/record.tmp" "$out/record"
	tap_ok "child started everything"
	case "$mode" in
	fail)	tap_fail "a deliberate failure; the servers are never stopped"
		exit 3 ;;
	term)	sleep 60 &
		wait ;;
	esac
	exit 4
fi

h_init no-leftovers

listeners() {	# "proto local-address:port process" of every listening socket
	ss -Hltnp | awk '{a = $4; $1 = $2 = $3 = $4 = $5 = ""; print "tcp", a, $0}'
	ss -Hlunp | awk '{a = $4; $1 = $2 = $3 = $4 = $5 = ""; print "udp", a, $0}'
}
addr_port() {	# "tcp 127.0.0.1:53 users:..." -> "tcp 127.0.0.1:53"
	awk '{print $1, $2}' | sort -u
}
before=$(listeners | addr_port)
tap_diag "listening before: $(grep -c . <<<"$before") sockets"

if start_all; then
	tap_ok "all six servers start"
else
	tap_fail "all six servers start"
fi
ours=$(h_ports | sort -n)
tap_diag "ports: $(echo $ours)"
during=$(listeners)
bad=""
for p in $ours; do
	l=$(grep -E "^(tcp|udp) [^ ]*:$p " <<<"$during")
	[ -n "$l" ] || continue
	bad="$bad$(awk '$2 !~ /^(127\.0\.0\.1|\[::1\]):/' <<<"$l")"
done
tap_check "every port of the test is on 127.0.0.1 or ::1 only" test -z "$bad"
n=$(for p in $ours; do grep -cE "^(tcp|udp) [^ ]*:$p " <<<"$during"; done |
    awk '{s += $1} END {print s + 0}')
# NSD: 2 udp + 2 tcp; smtpd 2; dovecot 3 ports x 2; milter, postsrsd x2, tcpserver
tap_check "the servers listen on their ports ($n sockets)" test "$n" -ge 15

h_stop_all
after=$(listeners)
new=$(comm -13 <(printf '%s\n' "$before") <(addr_port <<<"$after"))
mine=""
while read -r proto addr; do
	[ -n "$addr" ] || continue
	port=${addr##*:}
	line=$(grep -F "$proto $addr " <<<"$after" | head -n 1)
	pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line")
	if grep -qx "$port" <<<"$ours" ||
	    { [ -n "$pid" ] && [ -e "/proc/$pid/cwd" ] &&
	      readlink "/proc/$pid/cwd" | grep -qF "$H_DIR"; }; then
		mine="$mine$line"$'\n'
	else
		tap_diag "new listener of another program, ignored: $line"
	fi
done <<<"$new"
tap_check "after stopping: nothing new of this test listens (ss -ltnp/-lunp)" test -z "$mine"
[ -z "$mine" ] || tap_diag "$mine"
h_assert_no_leftovers

# ---- the exit trap cleans up after a failing and after a killed test
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
check_child_clean() {	# check_child_clean MODE OUTDIR
	local out=$2 d p left=""
	d=$(sed -n 's/^dir //p' "$out/record")
	[ -n "$d" ] && [ ! -e "$d" ] || left="$left dir $d still exists;"
	for p in $(sed -n 's/^pid //p' "$out/record"); do
		_h_alive "$p" && left="$left pid $p alive ($(ps -o args= -p "$p"));"
	done
	for p in $(sed -n 's/^port //p' "$out/record"); do
		[ -z "$(ss -Hlntu "sport = :$p")" ] || left="$left port $p listening;"
		[ ! -e "$H_PORT_LOCKS/$p" ] || left="$left lock of port $p kept;"
	done
	if [ -z "$left" ]; then
		tap_ok "$1: nothing left behind ($(grep -c '^pid' "$out/record") pids, $(grep -c '^port' "$out/record") ports)"
	else
		tap_fail "$1: nothing left behind" "$left"
	fi
}

# Both children at once (each has its own ports and directory). The failing
# one runs the daemonizing servers (Postfix's master is not its child), the
# killed one the foreground ones; both hold a tcpserver connection.
fo=$H_DIR/child-fail
to=$H_DIR/child-term
mkdir -p "$fo" "$to"
bash "$self" --child fail "$fo" postfix dovecot tcpserver >"$fo/tap" 2>"$fo/log" &
fchild=$!
bash "$self" --child term "$to" nsd opendkim postsrsd tcpserver >"$to/tap" 2>"$to/log" &
tchild=$!

wait "$fchild"
rc=$?
tap_check "a child test that fails exits with its own status ($rc)" test "$rc" -eq 3
tap_check "its TAP says why" grep -q '^not ok 2 - a deliberate failure' "$fo/tap"
check_child_clean "failing child" "$fo"

if h_wait 300 test -s "$to/record"; then
	kill -TERM "$tchild"
	wait "$tchild"
	rc=$?
	tap_check "a child killed with SIGTERM exits 143 ($rc)" test "$rc" -eq 143
	tap_check "its TAP records the interruption" grep -q '^# interrupted by SIGTERM' "$to/tap"
	check_child_clean "child killed by SIGTERM" "$to"
else
	tap_fail "child killed by SIGTERM: it started its servers" "$(tail -n 5 "$to/log")"
fi

tap_done
