# tests/integration/srs/lib.sh - TAP and process functions of the srs-*.sh
# tests (sourced).  Every process a test starts is stopped by its own pid.
: "${top_srcdir:?}" "${top_builddir:?}"
T_N=0
T_FAILS=0
T_PIDS=""

ok() {		# ok "what"
	T_N=$((T_N + 1)); echo "ok $T_N - $1"
}
not_ok() {	# not_ok "what" "detail..."
	T_N=$((T_N + 1)); T_FAILS=$((T_FAILS + 1))
	echo "not ok $T_N - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	return 0
}
check() {	# check "what" cmd...
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what" "command: $*"; fi
}
is() {		# is "what" got want
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}

# a TCP port on 127.0.0.1 that nothing listens on right now
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_tcp() {	# wait_tcp PORT [tenths]
	local n=${2:-100}
	while [ "$n" -gt 0 ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}
wait_file() {	# wait_file PATH [tenths]
	local n=${2:-100}
	while [ ! -e "$1" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	[ -e "$1" ]
}
track() { T_PIDS="$T_PIDS $1"; }
stop_pid() {	# stop_pid PID: TERM, wait up to 5 s, then KILL
	local p=$1 n=50
	kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}
stop_all() { local p; for p in $T_PIDS; do stop_pid "$p"; done; T_PIDS=""; }
done_testing() { echo "1..$T_N"; [ "$T_FAILS" = 0 ]; }
