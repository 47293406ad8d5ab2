# NAME		cutover-delay.sh - start and stop cutover-delay.py from a test
# DOES		delay_start UPSTREAM_PORT DELAY_MS STATS: the forwarder on a
#		free port of 127.0.0.1 (sets DELAY_PORT, DELAY_PID; the same
#		port again on the next start, so reports name the same
#		server), waits until it listens; delay_stop: SIGTERM, waits until STATS is
#		written. Sourced after tests/integration/lib/harness.sh
# NEVER		picks a port itself (h_free_port) or kills by name
delay_start() {
	local ready=$H_DIR/delay.ready
	[ -n "${DELAY_PORT:-}" ] || DELAY_PORT=$(h_free_port) || return 1
	DELAY_STATS=$3
	rm -f "$ready" "$DELAY_STATS"
	python3 "$top_srcdir/tests/bench/cutover-delay.py" "$DELAY_PORT" "$1" \
	    "$2" "$DELAY_STATS" "$ready" 2>"$H_DIR/delay.err" &
	DELAY_PID=$!
	h_wait 100 test -e "$ready"
}

delay_stop() {
	[ -n "${DELAY_PID:-}" ] || return 0
	kill -TERM "$DELAY_PID" 2>/dev/null
	wait "$DELAY_PID" 2>/dev/null
	DELAY_PID=""
	test -s "$DELAY_STATS"
}
