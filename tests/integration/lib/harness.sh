# shellcheck shell=bash
#
# NAME		harness.sh - real mail servers on loopback for integration tests
# DOES		TAP output; starts NSD, Postfix, Dovecot, OpenDKIM, postsrsd and
#		tcpserver from a private directory, each on a free loopback port,
#		and stops each by its own pid when the test ends, fails or is
#		interrupted
# NEVER		touches the host's /etc/postfix, /etc/dovecot or /etc/nsd, binds
#		anything but 127.0.0.1 and ::1, or kills a process by name
#
# Source it from a bash test script, then call h_init first:
#
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
#	h_init smoke-foo
#
# tests/integration/README.md describes the API with an example.

# The H_* variables are set here for the test scripts to read.
# shellcheck disable=SC2034

if [ -z "${BASH_VERSION:-}" ]; then
	echo "Bail out! harness.sh needs bash"
	exit 99
fi

# ---------------------------------------------------------------- TAP

_tap_n=0		# results printed so far
_tap_failed=0		# of which "not ok"
_tap_plan=""		# N once "1..N" was printed
_tap_finished=""	# set by tap_done

# tap_plan N: print the plan first (or let tap_done print it last)
tap_plan() {
	_tap_plan=$1
	echo "1..$1"
}

# tap_diag TEXT...: comment lines ("# TEXT"); multi-line text is split
tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

tap_ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

# tap_fail DESC [DETAIL...]: a failed result plus "# DETAIL" lines
tap_fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	shift
	[ $# -eq 0 ] || tap_diag "$@"
}

# tap_skip DESC REASON: not a pass; only for a kernel feature that is absent
tap_skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

# tap_report DESC FILE FIRST [LINES [DETAIL...]]: an oracle's output (the
# routes, logins and SRS oracles, a comparison): ok, with FILE's first line
# after DESC, when a line of FILE starts with FIRST (an ERE: "checked",
# "compared [1-9]") and none with BAD; otherwise not ok, with FILE's first
# LINES (default 40) lines and each DETAIL as diagnostics
tap_report() {
	local desc=$1 f=$2 first=$3 n=${4:-40}
	shift $(($# < 4 ? $# : 4))
	if grep -q '^BAD' "$f" || ! grep -Eq "^($first)" "$f"; then
		tap_fail "$desc" "$(head -n "$n" "$f")" "$@"
	else
		tap_ok "$desc ($(head -n 1 "$f"))"
	fi
}

# tap_check DESC CMD...: runs CMD; ok when it exits 0, otherwise not ok
# with CMD's output (stdout and stderr, last 20 lines) as diagnostics.
# Returns CMD's status.
tap_check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "command: $* (exit $rc)"
		[ -z "$out" ] || tap_diag "$(printf '%s\n' "$out" | tail -n 20)"
	fi
	return "$rc"
}

# tap_bail REASON: abort the whole test file (counts as a failure)
tap_bail() {
	echo "Bail out! $*"
	_tap_finished=bailed
	exit 99
}

# tap_done: last line of a test. Prints the plan when tap_plan was not
# called, then exits 0 if every result was ok, 1 otherwise. Servers are
# stopped by the exit trap.
tap_done() {
	_tap_finished=yes
	[ -n "$_tap_plan" ] || echo "1..$_tap_n"
	if [ "$_tap_failed" -ne 0 ] || [ "$_tap_n" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# ---------------------------------------------------------- lifecycle

H_NAME=""		# test name given to h_init
H_DIR=""		# private work directory of this test
H_PIDS=()		# every server pid this test started (for the leftovers check)
H_PIDFILE=""		# "PID STARTTIME" (_h_starttime) lines of processes a
			# helper started from a subshell (d13_ns), where
			# H_PIDS cannot grow
H_OWN_DIRS=()		# more directories of this test besides $H_DIR
_h_started=()		# started services, in start order (names of stop functions)
_h_cleaned=""
H_PORT_LOCKS=${TMPDIR:-/tmp}/q2p-ports
H_VUID=89		# mail files owner: vpopmail's uid/gid in the old deployment
H_VGID=89
H_HAVE_IPV6=0
[ -r /proc/net/if_inet6 ] &&
    grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 &&
    H_HAVE_IPV6=1

# h_log TEXT...: progress to stderr (lands in the test's .log file)
h_log() {
	printf '%s: %s\n' "${H_NAME:-harness}" "$*" >&2
}

# h_init NAME: private dir $H_DIR (mode 0755 so daemons that drop to their
# own user can traverse it); every server is stopped when the shell exits.
# Q2P_KEEP=1 keeps $H_DIR for debugging.
h_init() {
	H_NAME=${1:?h_init NAME}
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP integration tests start real servers and need root"
		_tap_finished=skipped
		exit 0
	fi
	local d
	# mktemp's default template, renamed so that ps and ls show the test
	d=$(mktemp -d -p "${TMPDIR:-/tmp}") ||
	    tap_bail "cannot create a work directory"
	H_DIR=${d%/*}/q2p-$H_NAME.${d##*.}
	mv -T "$d" "$H_DIR" 2>/dev/null || H_DIR=$d
	chmod 0755 "$H_DIR"
	H_PIDFILE=$H_DIR/.pids
	export LC_ALL=C
	h_log "work dir $H_DIR"
}

_h_on_exit() {
	local rc=$?
	if [ -z "$_tap_finished" ] && { [ "$_tap_n" -gt 0 ] || [ -n "$_tap_plan" ]; }; then
		_tap_n=$((_tap_n + 1))
		echo "not ok $_tap_n - test ended before tap_done (exit status $rc)"
		[ -n "$_tap_plan" ] || echo "1..$_tap_n"
		[ "$rc" -ne 0 ] || rc=1
	fi
	_h_cleanup
	exit "$rc"
}

_h_on_signal() {
	echo "# interrupted by SIG$1"
	_h_cleanup
	exit "$2"
}

# Stops what is still running (newest first), kills leftover background
# jobs of the test shell, releases the ports, removes $H_DIR.
_h_cleanup() {
	local i svc pid
	[ -z "$_h_cleaned" ] || return 0
	_h_cleaned=1
	for ((i = ${#_h_started[@]} - 1; i >= 0; i--)); do
		svc=${_h_started[i]}
		[ -n "$svc" ] && "$svc" >/dev/null 2>&1
	done
	for pid in $(jobs -p 2>/dev/null); do
		_h_kill_tree "$pid" 0
	done
	for pid in $(_h_recorded); do
		_h_kill_wait "$pid"
	done
	_h_release_ports
	if [ -n "$H_DIR" ] && [ -d "$H_DIR" ]; then
		if [ "${Q2P_KEEP:-0}" = 1 ]; then
			h_log "kept $H_DIR (Q2P_KEEP=1)"
		else
			rm -rf -- "$H_DIR"
		fi
	fi
}

trap _h_on_exit EXIT
trap '_h_on_signal INT 130' INT
trap '_h_on_signal TERM 143' TERM
trap '_h_on_signal HUP 129' HUP

_h_register() {	# _h_register STOPFUNC: remember to call it at exit
	local s
	for s in "${_h_started[@]}"; do
		[ "$s" = "$1" ] && return 0
	done
	_h_started+=("$1")
}

_h_unregister() {
	local i
	for i in "${!_h_started[@]}"; do
		[ "${_h_started[i]}" = "$1" ] && _h_started[i]=""
	done
}

# h_stop_pid VAR: stop the server whose pid $VAR holds (and what it
# started), empty VAR and forget the calling stop function at exit; each
# server's h_*_stop is this one line
h_stop_pid() {
	local var=$1
	[ -n "${!var:-}" ] || return 0
	_h_kill_tree "${!var}"
	printf -v "$var" '%s' ""
	_h_unregister "${FUNCNAME[1]}"
}

_h_need_init() {
	[ -n "$H_DIR" ] && [ -d "$H_DIR" ] || tap_bail "call h_init NAME first"
}

# _h_alive PID: the process exists and is not a zombie
_h_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# _h_starttime PID: the process's start time (field 22 of its stat)
_h_starttime() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# _h_recorded: the processes of H_PIDFILE still alive (the same start
# time: never one that merely got the pid later)
_h_recorded() {
	local pid st
	[ -n "$H_PIDFILE" ] && [ -r "$H_PIDFILE" ] || return 0
	while read -r pid st; do
		_h_alive "$pid" && [ "$(_h_starttime "$pid")" = "$st" ] &&
		    echo "$pid"
	done <"$H_PIDFILE"
}

# _h_kill_wait PID [TENTHS]: SIGTERM, wait up to TENTHS/10 s, then SIGKILL;
# reaps it when it is a child of this shell
_h_kill_wait() {
	local pid=$1 n=${2:-100}
	[ -n "$pid" ] || return 0
	if _h_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		while _h_alive "$pid" && [ "$n" -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		if _h_alive "$pid"; then
			h_log "pid $pid ignored SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.1
		fi
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# _h_descendants PID: every live descendant of PID, children first
_h_descendants() {
	local k
	for k in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$k"
		_h_descendants "$k"
	done
}

# _h_kill_tree PID [GRACE]: stop PID like _h_kill_wait, then give the
# processes it had forked GRACE tenths of a second (default 50) to exit on
# their own (daemons' workers do when their master has gone); those still
# there get SIGTERM, then SIGKILL
_h_kill_tree() {
	local kids
	local -a ka
	[ -n "$1" ] || return 0
	kids=$(_h_descendants "$1")
	_h_kill_wait "$1"
	[ -n "$kids" ] || return 0
	read -r -a ka -d '' <<<"$kids"
	H_PIDS+=("${ka[@]}")
	_h_reap "${2:-50}" "${ka[@]}"
}

# _h_reap TENTHS PID...: give the PIDs TENTHS tenths of a second to exit on
# their own; those still there get SIGTERM, then SIGKILL
_h_reap() {
	local n=$1 k alive
	shift
	while :; do
		alive=""
		for k in "$@"; do
			_h_alive "$k" && alive="$alive $k"
		done
		[ -n "$alive" ] && [ "$n" -gt 0 ] || break
		sleep 0.1
		n=$((n - 1))
	done
	for k in $alive; do
		_h_kill_wait "$k" 30
	done
	return 0
}

# h_wait TENTHS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout
h_wait() {
	local n=$1
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# h_wait_tcp PORT [HOST] [TENTHS]: until something accepts on HOST:PORT
h_wait_tcp() {
	h_wait "${3:-100}" _h_tcp_open "${2:-127.0.0.1}" "$1"
}

_h_tcp_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# ------------------------------------------------------------ ports

_h_port_in_use() {	# any TCP or UDP socket, in any state, on local port $1
	[ -n "$(ss -Hantu "sport = :$1" 2>/dev/null)" ]
}

# h_free_port: print a TCP+UDP port free on loopback and reserve it for this
# test until it exits (a lock dir under ${TMPDIR:-/tmp}/q2p-ports holding the
# test's pid; a lock whose owner is dead is taken over). Ports come from
# below the kernel's ephemeral range, so client sockets never hold them.
h_free_port() {
	local lo=20000 hi=60000 eph_lo p i owner
	if read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range &&
	    [ "$eph_lo" -gt $((lo + 2000)) ]; then
		hi=$((eph_lo - 1))
	fi
	mkdir -p "$H_PORT_LOCKS" 2>/dev/null && chmod 1777 "$H_PORT_LOCKS" 2>/dev/null
	for ((i = 0; i < 500; i++)); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		_h_port_in_use "$p" && continue
		if ! mkdir "$H_PORT_LOCKS/$p" 2>/dev/null; then
			owner=$(cat "$H_PORT_LOCKS/$p/pid" 2>/dev/null)
			# a lock being created has no pid file yet: leave it alone
			[ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null || continue
			rm -rf "${H_PORT_LOCKS:?}/$p"
			mkdir "$H_PORT_LOCKS/$p" 2>/dev/null || continue
		fi
		echo "$$" >"$H_PORT_LOCKS/$p/pid"
		if _h_port_in_use "$p"; then	# someone outside the harness took it
			rm -rf "${H_PORT_LOCKS:?}/$p"
			continue
		fi
		echo "$p"
		return 0
	done
	h_log "no free port found"
	return 1
}

# h_ports: the ports this test holds
h_ports() {
	local d
	for d in "$H_PORT_LOCKS"/*/; do
		[ "$(cat "${d}pid" 2>/dev/null)" = "$$" ] && basename "$d"
	done
	return 0
}

_h_release_ports() {
	local p
	for p in $(h_ports); do
		rm -rf "${H_PORT_LOCKS:?}/$p"
	done
}

# --------------------------------------------------- system user (mail)

# h_vmail_user: make sure uid/gid 89 exist (user and group "vpopmail", as on
# the old host), so files written for the deployment work unchanged. Only
# creates what is absent; an existing "vpopmail" with another uid is used.
h_vmail_user() {
	local u
	if u=$(id -u vpopmail 2>/dev/null); then
		H_VUID=$u
		H_VGID=$(id -g vpopmail)
		return 0
	fi
	(
		flock 9
		getent group 89 >/dev/null || groupadd -g 89 vpopmail
		getent passwd 89 >/dev/null ||
		    useradd -u 89 -g 89 -M -d /home/vpopmail \
			-s /usr/sbin/nologin -c "vpopmail (tests)" vpopmail
	) 9>"$H_PORT_LOCKS.useradd.lock"
	H_VUID=89
	H_VGID=89
	getent passwd 89 >/dev/null
}

# h_crypt des|md5|sha512 PASSWORD: print a crypt(3) hash as vpopmail stores
# it (DES: 2-char salt, password cut at 8 characters)
h_crypt() {
	case "$1" in
	des)	Q2P_PW=$2 perl -e 'my @s = ("a".."z", "A".."Z", 0..9, ".", "/");
		    print crypt($ENV{Q2P_PW}, $s[rand @s] . $s[rand @s]), "\n"' ;;
	md5)	printf '%s\n' "$2" | openssl passwd -1 -stdin ;;
	sha512)	printf '%s\n' "$2" | openssl passwd -6 -stdin ;;
	*)	h_log "h_crypt: unknown scheme $1"; return 1 ;;
	esac
}

# ------------------------------------------------------------ NSD

# h_nsd_start [ZONEDIR]: NSD serving every *.zone file under ZONEDIR
# (default: samples/dns of the source tree) on 127.0.0.1 and ::1.
# The zone name is the file's first $ORIGIN, else the file name minus .zone.
# Sets H_DNS_PORT (TCP and UDP), H_NSD_PID, H_NSD_DIR, H_NSD_LOG, H_NSD_ZONES.
h_nsd_start() {
	local zdir=${1:-${top_srcdir:-.}/samples/dns} d f z n=0 first=""
	_h_need_init
	zdir=$(cd "$zdir" 2>/dev/null && pwd) || { h_log "no zone dir ${1:-}"; return 1; }
	d=$H_DIR/nsd
	H_NSD_DIR=$d
	H_NSD_LOG=$d/nsd.log
	H_NSD_ZONES=""
	mkdir -p "$d/xfr"
	H_DNS_PORT=$(h_free_port) || return 1
	{
		echo "server:"
		echo "    ip-address: 127.0.0.1@$H_DNS_PORT"
		[ "$H_HAVE_IPV6" = 1 ] && echo "    ip-address: ::1@$H_DNS_PORT"
		cat <<EOF
    port: $H_DNS_PORT
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d/xfr"
    pidfile: "$d/nsd.pid"
    logfile: "$H_NSD_LOG"
    verbosity: 1
    hide-version: yes
    reuseport: no
    refuse-any: no
    # Debian's NSD rate-limits answers (RRL): tests send bursts
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
EOF
	} >"$d/nsd.conf"
	while IFS= read -r f; do
		z=$(sed -n 's/^\$ORIGIN[[:space:]]\{1,\}\([^[:space:];]*\).*/\1/p' "$f" | head -n 1)
		[ -n "$z" ] || z=$(basename "$f" .zone)
		z=${z%.}
		if ! nsd-checkzone "$z" "$f" >"$d/checkzone.out" 2>&1; then
			h_log "zone $z ($f) rejected: $(cat "$d/checkzone.out")"
			return 1
		fi
		printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$z" "$f" >>"$d/nsd.conf"
		H_NSD_ZONES="$H_NSD_ZONES $z"
		[ -n "$first" ] || first=$z
		n=$((n + 1))
	done < <(find "$zdir" -name '*.zone' -type f | sort)
	H_NSD_ZONES=${H_NSD_ZONES# }
	[ "$n" -gt 0 ] || { h_log "no *.zone file under $zdir"; return 1; }
	nsd-checkconf "$d/nsd.conf" >&2 || return 1
	(cd "$d" && exec nsd -d -c "$d/nsd.conf") >"$d/nsd.out" 2>&1 &
	H_NSD_PID=$!
	H_PIDS+=("$H_NSD_PID")
	_h_register h_nsd_stop
	if ! h_wait 100 _h_nsd_answers "$first"; then
		h_log "nsd does not answer: $(cat "$d/nsd.out" "$H_NSD_LOG" 2>/dev/null | tail -n 5)"
		h_nsd_stop
		return 1
	fi
	h_log "nsd pid $H_NSD_PID on 127.0.0.1@$H_DNS_PORT, zones: $H_NSD_ZONES"
}

_h_nsd_answers() {
	_h_alive "$H_NSD_PID" || return 2
	# a query sent before NSD binds waits for drill's 5 s timeout
	[ -n "$(ss -Hlnu "sport = :$H_DNS_PORT")" ] || return 1
	drill -p "$H_DNS_PORT" @127.0.0.1 "$1" SOA 2>/dev/null | grep -q 'rcode: NOERROR'
}

# h_drill ARGS...: drill against the test's NSD (add @::1 or -t as needed;
# the default server is 127.0.0.1)
h_drill() {
	local a
	for a in "$@"; do
		case "$a" in @*) drill -p "$H_DNS_PORT" "$@"; return ;; esac
	done
	drill -p "$H_DNS_PORT" @127.0.0.1 "$@"
}

h_nsd_stop() {
	h_stop_pid H_NSD_PID
}

# ---------------------------------------------------------- Postfix

# h_postfix_setup [DIR] ["param = value"...]: a private Postfix instance
# under DIR (default $H_DIR/postfix): config in $H_PF_CONF, queue, data,
# mailboxes in $H_PF_DIR/vmail (owned by $H_VUID), log in $H_PF_LOG. smtpd
# listens on 127.0.0.1 (and [::1]) port $H_SMTP_PORT only. No DNS; anything
# not for a local or virtual domain goes to the error transport, so nothing
# leaves the machine. Extra parameters are applied with postconf -e; a typo
# ("unused parameter") makes the setup fail.
h_postfix_setup() {
	local dir=${1:-$H_DIR/postfix} p e
	_h_need_init
	[ $# -gt 0 ] && shift
	h_vmail_user || return 1
	H_PF_DIR=$dir
	H_PF_CONF=$dir/etc
	H_PF_QUEUE=$dir/queue
	H_PF_LOG=$dir/maillog
	mkdir -p "$H_PF_CONF" "$H_PF_QUEUE" "$dir/data" "$dir/vmail"
	chmod 0755 "$dir" "$H_PF_CONF" "$H_PF_QUEUE"
	chown postfix: "$dir/data"
	chown "$H_VUID:$H_VGID" "$dir/vmail"
	H_SMTP_PORT=$(h_free_port) || return 1
	e=$H_PF_CONF
	cat >"$e/main.cf" <<EOF
# private test instance (tests/integration/lib/harness.sh)
compatibility_level = 3.6
queue_directory = $H_PF_QUEUE
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $H_PF_LOG
maillog_file_prefixes = /var, /dev/stdout, $H_DIR
myhostname = mx1.example.com
mydomain = example.com
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = $([ "$H_HAVE_IPV6" = 1 ] && echo all || echo ipv4)
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_client_event_limit_exceptions =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_host_lookup = native
default_transport = error:test instance: external delivery disabled
relay_transport = error:test instance: external delivery disabled
alias_maps =
alias_database =
local_recipient_maps =
biff = no
virtual_mailbox_base = $dir/vmail
virtual_uid_maps = static:$H_VUID
virtual_gid_maps = static:$H_VGID
virtual_minimum_uid = 1
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
delay_warning_time = 0
EOF
	{
		echo "# service type private unpriv chroot wakeup maxproc command"
		echo "127.0.0.1:$H_SMTP_PORT inet n - n - - smtpd"
		[ "$H_HAVE_IPV6" = 1 ] && echo "[::1]:$H_SMTP_PORT inet n - n - - smtpd"
		cat <<'EOF'
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
EOF
	} >"$e/master.cf"
	for p in "$@"; do
		postconf -c "$e" -e "$p" || { h_log "bad main.cf line: $p"; return 1; }
	done
	postconf -c "$e" -n >/dev/null 2>"$dir/postconf.err"
	if grep -q 'warning' "$dir/postconf.err"; then
		h_log "postconf: $(cat "$dir/postconf.err")"
		return 1
	fi
	# A private stand-in for /etc/postfix, bind-mounted in the instance's
	# own mount namespace: a non-root "sendmail -C DIR" (a .forward pipe)
	# is allowed only when the DEFAULT main.cf lists DIR in
	# alternate_config_directories. The host's /etc/postfix is never edited.
	rm -rf "$dir/etc-default"
	mkdir -p "$dir/etc-default"
	cp -a /etc/postfix/. "$dir/etc-default/"
	if ! postfix -c "$e" check >"$dir/check.out" 2>&1; then
		h_log "postfix check: $(cat "$dir/check.out")"
		return 1
	fi
}

# h_postfix_start: starts the instance set up by h_postfix_setup inside a
# private mount namespace where /etc/postfix is the test's configuration (see
# h_in_postfix_ns); sets H_POSTFIX_PID (the master)
h_postfix_start() {
	local d=${H_PF_DIR:?h_postfix_setup first}
	_h_postfix_sync_default
	_h_register h_postfix_stop
	if ! unshare --mount --propagation private bash -c \
	    'mount --bind "$1" /etc/postfix && exec postfix -c "$2" start' \
	    _ "$d/etc-default" "$H_PF_CONF" >"$d/start.out" 2>&1; then
		h_log "postfix start failed: $(cat "$d/start.out"; tail -n 5 "$H_PF_LOG" 2>/dev/null)"
		return 1
	fi
	h_wait 100 test -s "$H_PF_QUEUE/pid/master.pid" || return 1
	H_POSTFIX_PID=$(tr -dc 0-9 <"$H_PF_QUEUE/pid/master.pid")
	H_PIDS+=("$H_POSTFIX_PID")
	if ! h_wait_tcp "$H_SMTP_PORT"; then
		h_log "smtpd not listening: $(tail -n 5 "$H_PF_LOG" 2>/dev/null)"
		return 1
	fi
	h_log "postfix master pid $H_POSTFIX_PID, smtpd on 127.0.0.1:$H_SMTP_PORT"
}

# the namespace's /etc/postfix: package files plus the test's main.cf and
# master.cf, so that sendmail without -C also reaches the test instance
_h_postfix_sync_default() {
	local dd=$H_PF_DIR/etc-default
	cp "$H_PF_CONF/master.cf" "$dd/master.cf"
	{
		cat "$H_PF_CONF/main.cf"
		echo "alternate_config_directories = $H_PF_CONF"
	} >"$dd/main.cf"
}

h_postfix_stop() {
	local pid=${H_POSTFIX_PID:-} kids
	local -a ka
	[ -n "${H_PF_CONF:-}" ] || return 0
	[ -n "$pid" ] || pid=$(tr -dc 0-9 <"$H_PF_QUEUE/pid/master.pid" 2>/dev/null)
	if [ -n "$pid" ] && _h_alive "$pid"; then
		kids=$(_h_descendants "$pid")
		read -r -a ka -d '' <<<"$kids"
		H_PIDS+=("${ka[@]}")
		postfix -c "$H_PF_CONF" stop >/dev/null 2>&1
		h_wait 100 eval '! _h_alive '"$pid" || _h_kill_wait "$pid"
		# pipes run by local(8) may outlive the master for a moment
		_h_reap 100 "${ka[@]}"
	fi
	H_POSTFIX_PID=""
	_h_unregister h_postfix_stop
}

# h_in_postfix_ns CMD...: run CMD in a private mount namespace where
# /etc/postfix is the test instance's configuration, so "sendmail" (as root
# or as any user, e.g. via runuser -u USER --) reaches the test instance.
# Without it, a non-root "sendmail -C DIR" dies with
# "fatal: open file /etc/postfix/main.cf" or is refused.
h_in_postfix_ns() {
	[ -n "${H_PF_DIR:-}" ] || { h_log "h_postfix_setup first"; return 1; }
	_h_postfix_sync_default
	unshare --mount --propagation private bash -c \
	    'd=$1; shift; mount --bind "$d" /etc/postfix && exec "$@"' \
	    _ "$H_PF_DIR/etc-default" "$@"
}

# h_postfix_log: path of the instance's maillog
h_postfix_log() {
	echo "$H_PF_LOG"
}

# h_postfix_wait_queue_empty [TENTHS]: until no message is queued
h_postfix_wait_queue_empty() {
	h_wait "${1:-150}" _h_postfix_queue_empty
}

_h_postfix_queue_empty() {
	[ -z "$(postqueue -c "$H_PF_CONF" -j 2>/dev/null)" ]
}

# h_postfix_mailbox ADDRESS: the Maildir of a virtual mailbox that a test
# declared as "ADDRESS DOMAIN/LOCAL/" in virtual_mailbox_maps
h_postfix_mailbox() {
	echo "$H_PF_DIR/vmail/${1#*@}/${1%@*}"
}

# ----------------------------------------------------------- Dovecot

# h_dovecot_setup [DIR] [PASSWD_FILE] [config lines...]: a private Dovecot
# under DIR (default $H_DIR/dovecot) with imap, pop3 and lmtp on loopback
# ports $H_IMAP_PORT, $H_POP3_PORT, $H_LMTP_PORT (plain, ssl = no for them).
# With H_DC_SSL=1 also imaps/pop3s on $H_IMAPS_PORT/$H_POP3S_PORT with a
# self-signed certificate. passdb and userdb: a copy of PASSWD_FILE
# ($H_DC_PASSWD, mode 0600), lines "user@domain:HASH:uid:gid::home::extra";
# HASH is crypt(3) (DES, $1$, $6$) as vpopmail stores it. An empty home
# means $H_DC_DIR/home/DOMAIN/USER; mail is maildir:~/Maildir.
# Also sets H_DC_CONF, H_DC_LOG.
h_dovecot_setup() {
	local dir=${1:-$H_DIR/dovecot} pw=${2:-} c l
	_h_need_init
	[ $# -gt 0 ] && shift
	[ $# -gt 0 ] && shift
	h_vmail_user || return 1
	H_DC_DIR=$dir
	H_DC_CONF=$dir/dovecot.conf
	H_DC_LOG=$dir/dovecot.log
	H_DC_PASSWD=$dir/passwd
	mkdir -p "$dir/run" "$dir/state" "$dir/home"
	chmod 0755 "$dir"
	chown "$H_VUID:$H_VGID" "$dir/home"
	(umask 077; : >"$H_DC_PASSWD")
	[ -z "$pw" ] || cat "$pw" >"$H_DC_PASSWD" || return 1
	chown dovecot: "$H_DC_PASSWD"
	chmod 0600 "$H_DC_PASSWD"
	H_IMAP_PORT=$(h_free_port) && H_POP3_PORT=$(h_free_port) &&
	    H_LMTP_PORT=$(h_free_port) || return 1
	H_IMAPS_PORT=0
	H_POP3S_PORT=0
	c=$H_DC_CONF
	{
		cat <<EOF
# private test instance (tests/integration/lib/harness.sh)
instance_name = $(basename "$H_DIR")
base_dir = $dir/run
state_dir = $dir/state
protocols = imap pop3 lmtp
listen = 127.0.0.1$([ "$H_HAVE_IPV6" = 1 ] && echo ", ::1")
log_path = $H_DC_LOG
info_log_path = $H_DC_LOG
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_verbose_passwords = no
auth_cache_size = 0
# answer a failed login at once (the auth penalty is off, see service anvil)
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_home = $dir/home/%d/%n
mail_uid = $H_VUID
mail_gid = $H_VGID
mail_privileged_group =
first_valid_uid = 1
first_valid_gid = 1
postmaster_address = postmaster@example.com
hostname = mx1.example.com
EOF
		if [ "${H_DC_SSL:-0}" = 1 ]; then
			openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			    -subj /CN=mx1.example.com -keyout "$dir/key.pem" \
			    -out "$dir/cert.pem" >/dev/null 2>&1 || return 1
			chmod 0600 "$dir/key.pem"
			H_IMAPS_PORT=$(h_free_port) && H_POP3S_PORT=$(h_free_port) || return 1
			echo "ssl = yes"
			echo "ssl_cert = <$dir/cert.pem"
			echo "ssl_key = <$dir/key.pem"
			[ -r /usr/share/dovecot/dh.pem ] && echo "ssl_dh = </usr/share/dovecot/dh.pem"
		else
			echo "ssl = no"
		fi
		cat <<EOF
passdb {
  driver = passwd-file
  # no {SCHEME} prefix: the hash goes to crypt(3) (DES, \$1\$, \$5\$, \$6\$)
  args = scheme=CRYPT username_format=%u $H_DC_PASSWD
}
userdb {
  driver = passwd-file
  args = username_format=%u $H_DC_PASSWD
}
service imap-login {
  inet_listener imap {
    port = $H_IMAP_PORT
  }
  inet_listener imaps {
    port = $H_IMAPS_PORT
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $H_POP3_PORT
  }
  inet_listener pop3s {
    port = $H_POP3S_PORT
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
# without this, each failed login from 127.0.0.1 delays the next ones by
# 2, 4, 8, 15 s (anvil's auth penalty); a test that wants it back adds
# "service anvil { unix_listener anvil-auth-penalty { mode = 0600 } }"
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service lmtp {
  inet_listener lmtp {
    port = $H_LMTP_PORT
  }
}
EOF
		# the caller's lines last, so that they override the above
		for l in "$@"; do
			printf '%s\n' "$l"
		done
	} >"$c" || return 1
	if ! doveconf -c "$c" -n >"$dir/doveconf.out" 2>&1; then
		h_log "doveconf: $(tail -n 3 "$dir/doveconf.out")"
		return 1
	fi
}

# h_dovecot_adduser USER HASH: append a passwd-file line (uid/gid $H_VUID,
# default home); takes effect at once (auth_cache_size = 0)
h_dovecot_adduser() {
	printf '%s:%s:%s:%s::::\n' "$1" "$2" "$H_VUID" "$H_VGID" >>"$H_DC_PASSWD"
}

# h_in_dovecot_ns CMD...: run CMD where each "SRC=DST" of $H_DC_BINDS is
# bind-mounted (a private mount namespace), so that a configuration naming
# /etc/dovecot paths runs from a private directory; without binds, CMD as is.
# CMD replaces the calling shell: call it in a subshell, ( h_in_dovecot_ns ... )
h_in_dovecot_ns() {
	[ -n "${H_DC_BINDS:-}" ] || exec "$@"
	exec unshare --mount --propagation private bash -c '
	    for b in $1; do mount --bind "${b%%=*}" "${b#*=}" || exit 1; done
	    shift; exec "$@"' _ "$H_DC_BINDS" "$@"
}

# h_dovecot_start: foreground master under this shell (inside the binds of
# $H_DC_BINDS, if any); sets H_DOVECOT_PID
h_dovecot_start() {
	local d=${H_DC_DIR:?h_dovecot_setup first}
	(cd "$d" && h_in_dovecot_ns dovecot -F -c "$H_DC_CONF") >"$d/dovecot.out" 2>&1 &
	H_DOVECOT_PID=$!
	H_PIDS+=("$H_DOVECOT_PID")
	_h_register h_dovecot_stop
	if ! h_wait_tcp "$H_IMAP_PORT" || ! h_wait_tcp "$H_POP3_PORT" ||
	    ! h_wait_tcp "$H_LMTP_PORT"; then
		h_log "dovecot not listening: $(cat "$d/dovecot.out"; tail -n 5 "$H_DC_LOG" 2>/dev/null)"
		return 1
	fi
	h_log "dovecot pid $H_DOVECOT_PID: imap $H_IMAP_PORT pop3 $H_POP3_PORT lmtp $H_LMTP_PORT"
}

h_dovecot_stop() {
	h_stop_pid H_DOVECOT_PID	# SIGTERM to the master = doveadm stop
}

# h_imap_login USER PASS [PORT [ssl]]: LOGIN over IMAP (default
# $H_IMAP_PORT); prints the server's tagged reply, returns 0 on OK
h_imap_login() {
	Q2P_PW=$2 python3 - "$1" "${3:-$H_IMAP_PORT}" "${4:-}" <<'EOF'
import imaplib, os, ssl, sys
user, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    if mode == "ssl":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=10)
    else:
        m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    typ, data = m.login(user, os.environ["Q2P_PW"])
    print(typ, data[0].decode(errors="replace"))
    m.logout()
except imaplib.IMAP4.error as e:
    print("NO", e)
    sys.exit(1)
except OSError as e:
    print("ERROR", e)
    sys.exit(2)
EOF
}

# h_pop3_login USER PASS [PORT [ssl]]: USER/PASS over POP3 (default
# $H_POP3_PORT); prints the reply to PASS, returns 0 on +OK
h_pop3_login() {
	Q2P_PW=$2 python3 - "$1" "${3:-$H_POP3_PORT}" "${4:-}" <<'EOF'
import os, poplib, ssl, sys
user, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    if mode == "ssl":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=10)
    else:
        p = poplib.POP3("127.0.0.1", port, timeout=10)
    p.user(user)
    print(p.pass_(os.environ["Q2P_PW"]).decode(errors="replace"))
    p.quit()
except poplib.error_proto as e:
    print(e.args[0].decode(errors="replace") if isinstance(e.args[0], bytes) else e)
    sys.exit(1)
except OSError as e:
    print("ERROR", e)
    sys.exit(2)
EOF
}

# ---------------------------------------------------------- OpenDKIM

# h_dkim_genkey DIR DOMAIN SELECTOR [BITS]: DIR/SELECTOR.private and
# DIR/SELECTOR.txt (the zone record) via opendkim-genkey
h_dkim_genkey() {
	mkdir -p "$1" &&
	    opendkim-genkey -b "${4:-2048}" -h sha256 -d "$2" -s "$3" -D "$1" &&
	    chmod 0600 "$1/$3.private"
}

# h_opendkim_start KEYDIR DOMAIN SELECTOR [config lines...]: the opendkim
# milter in the foreground, signing mail From: DOMAIN with
# KEYDIR/SELECTOR.private (Mode s: no DNS lookups), on 127.0.0.1 port
# $H_DKIM_PORT; sets H_DKIM_MILTER (inet:127.0.0.1:PORT, for Postfix's
# smtpd_milters), H_OPENDKIM_PID, H_DKIM_DIR.
h_opendkim_start() {
	local keydir=$1 dom=$2 sel=$3 d l
	_h_need_init
	shift 3
	d=$H_DIR/opendkim
	H_DKIM_DIR=$d
	mkdir -p "$d"
	# opendkim refuses keys that others can read
	install -m 0600 "$keydir/$sel.private" "$d/$sel.private" || return 1
	H_DKIM_PORT=$(h_free_port) || return 1
	H_DKIM_MILTER=inet:127.0.0.1:$H_DKIM_PORT
	{
		cat <<EOF
Syslog			no
Mode			s
Domain			$dom
Selector		$sel
KeyFile			$d/$sel.private
Socket			inet:$H_DKIM_PORT@127.0.0.1
PidFile			$d/opendkim.pid
Canonicalization	relaxed/relaxed
SignatureAlgorithm	rsa-sha256
InternalHosts		127.0.0.1, ::1
On-NoSignature		accept
RequireSafeKeys		no
EOF
		for l in "$@"; do
			printf '%s\n' "$l"
		done
	} >"$d/opendkim.conf"
	_h_opendkim_run
}

# h_opendkim_start_conf CONF: OpenDKIM from an installed-style opendkim.conf
# (KeyTable, SigningTable... with paths the caller has made readable): its
# Socket, PidFile, UserID and Syslog lines are replaced by the harness's
h_opendkim_start_conf() {
	local d
	_h_need_init
	d=$H_DIR/opendkim
	H_DKIM_DIR=$d
	mkdir -p "$d"
	H_DKIM_PORT=$(h_free_port) || return 1
	H_DKIM_MILTER=inet:127.0.0.1:$H_DKIM_PORT
	{
		grep -Ev '^(Socket|PidFile|UserID|Syslog|SyslogSuccess)[[:space:]]' "$1"
		printf 'Syslog\t\t\tno\nSocket\t\t\tinet:%s@127.0.0.1\nPidFile\t\t\t%s\n' \
		    "$H_DKIM_PORT" "$d/opendkim.pid"
	} >"$d/opendkim.conf"
	_h_opendkim_run
}

# _h_opendkim_run: start opendkim from $H_DKIM_DIR/opendkim.conf
_h_opendkim_run() {
	local d=$H_DKIM_DIR
	opendkim -n -x "$d/opendkim.conf" >"$d/check.out" 2>&1 ||
	    { h_log "opendkim config: $(cat "$d/check.out")"; return 1; }
	(cd "$d" && exec opendkim -f -x "$d/opendkim.conf") >"$d/opendkim.out" 2>&1 &
	H_OPENDKIM_PID=$!
	H_PIDS+=("$H_OPENDKIM_PID")
	_h_register h_opendkim_stop
	h_wait_tcp "$H_DKIM_PORT" ||
	    { h_log "opendkim not listening: $(cat "$d/opendkim.out")"; return 1; }
	h_log "opendkim pid $H_OPENDKIM_PID on 127.0.0.1:$H_DKIM_PORT"
}

h_opendkim_stop() {
	h_stop_pid H_OPENDKIM_PID
}

# ---------------------------------------------------------- postsrsd

# h_postsrsd_start SECRETFILE SRSDOMAIN [postsrsd options...]: postsrsd 1.10
# in the foreground on 127.0.0.1 ports $H_SRS_FPORT (forward) and
# $H_SRS_RPORT (reverse); the secret is copied (0600). With H_FAKETIME set
# (a date(1) string such as "2020-01-01 00:01:00 UTC"), postsrsd's clock
# starts at that time (libfaketime). Sets H_POSTSRSD_PID.
h_postsrsd_start() {
	local d cmd
	_h_need_init
	d=$H_DIR/postsrsd
	mkdir -p "$d"
	install -m 0600 "$1" "$d/secret" || return 1
	H_SRS_FPORT=$(h_free_port) && H_SRS_RPORT=$(h_free_port) || return 1
	cmd=(postsrsd -4 -s "$d/secret" -d "$2" -l 127.0.0.1 \
	    -f "$H_SRS_FPORT" -r "$H_SRS_RPORT" -t 30 "${@:3}")
	if [ -n "${H_FAKETIME:-}" ]; then
		# libfaketime directly: the faketime program would stay the parent
		# and not pass SIGTERM on to postsrsd
		cmd=(env TZ=UTC LD_PRELOAD="$(_h_libfaketime)" FAKETIME_NO_CACHE=1 \
		    FAKETIME="@$(TZ=UTC date -d "$H_FAKETIME" '+%Y-%m-%d %H:%M:%S')" \
		    "${cmd[@]}") || return 1
	fi
	(cd "$d" && exec "${cmd[@]}") >"$d/postsrsd.log" 2>&1 &
	H_POSTSRSD_PID=$!
	H_PIDS+=("$H_POSTSRSD_PID")
	_h_register h_postsrsd_stop
	h_wait_tcp "$H_SRS_FPORT" && h_wait_tcp "$H_SRS_RPORT" ||
	    { h_log "postsrsd not listening: $(cat "$d/postsrsd.log")"; return 1; }
	h_log "postsrsd pid $H_POSTSRSD_PID: forward $H_SRS_FPORT reverse $H_SRS_RPORT"
}

_h_libfaketime() {
	local f
	for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		[ -r "$f" ] && { echo "$f"; return 0; }
	done
	h_log "libfaketime.so.1 not found (Debian package faketime)"
	return 1
}

h_postsrsd_stop() {
	h_stop_pid H_POSTSRSD_PID
}

# h_postsrsd_query forward|reverse ADDRESS: one tcp_table(5) lookup
# ("get ADDRESS" -> "200 VALUE" or "500 reason"); prints the decoded reply
# line, returns 0 on 200
h_postsrsd_query() {
	local port line
	case "$1" in
	forward) port=$H_SRS_FPORT ;;
	reverse) port=$H_SRS_RPORT ;;
	*) h_log "h_postsrsd_query forward|reverse ADDRESS"; return 2 ;;
	esac
	line=$(python3 - "$port" "$2" <<'EOF'
import socket, sys, urllib.parse
port, addr = int(sys.argv[1]), sys.argv[2]
# tcp_table(5): whitespace, % and non-printables are sent as %XX
enc = "".join(c if 0x20 < ord(c) < 0x7f and c != "%" else
              "".join("%%%02X" % b for b in c.encode()) for c in addr)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(("get %s\n" % enc).encode())
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    buf += chunk
s.close()
print(urllib.parse.unquote(buf.decode(errors="replace").rstrip("\n")))
EOF
	) || return 2
	printf '%s\n' "$line"
	[ "${line%% *}" = 200 ]
}

# --------------------------------------------------------- tcpserver

# h_tcpserver_start [tcpserver options] -- PROG [ARGS...]: ucspi-tcp's
# tcpserver on 127.0.0.1 port $H_TCP_PORT with -v -R -H -l localhost (no
# ident or DNS lookups), log (stderr) in $H_TCP_LOG; sets H_TCP_PID. May be
# called more than once; each call overwrites the three variables.
h_tcpserver_start() {
	local opts=() log
	_h_need_init
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	[ $# -gt 0 ] || { h_log "h_tcpserver_start [opts] -- PROG..."; return 2; }
	H_TCP_PORT=$(h_free_port) || return 1
	mkdir -p "$H_DIR/tcpserver"
	log=$H_DIR/tcpserver/$H_TCP_PORT.log
	H_TCP_LOG=$log
	(cd "$H_DIR/tcpserver" &&
	    exec tcpserver -v -R -H -l localhost "${opts[@]}" 127.0.0.1 "$H_TCP_PORT" "$@") \
	    2>"$log" &
	H_TCP_PID=$!
	H_PIDS+=("$H_TCP_PID")
	_h_tcp_pids+=("$H_TCP_PID")
	_h_register h_tcpserver_stop
	h_wait_tcp "$H_TCP_PORT" ||
	    { h_log "tcpserver not listening: $(cat "$log")"; return 1; }
	h_log "tcpserver pid $H_TCP_PID on 127.0.0.1:$H_TCP_PORT"
}
_h_tcp_pids=()

# h_tcpserver_stop [PID]: stop one tcpserver (default: all of them) and the
# children still serving connections (tcpserver leaves them running)
h_tcpserver_stop() {
	local pid keep=()
	for pid in "${_h_tcp_pids[@]}"; do
		if [ -n "${1:-}" ] && [ "$pid" != "$1" ]; then
			keep+=("$pid")
			continue
		fi
		_h_kill_tree "$pid" 0
	done
	_h_tcp_pids=("${keep[@]}")
	[ ${#keep[@]} -gt 0 ] || _h_unregister h_tcpserver_stop
}

# --------------------------------------------------------- leftovers

# h_stop_all: stop every server this test started (newest first)
h_stop_all() {
	local i svc
	for ((i = ${#_h_started[@]} - 1; i >= 0; i--)); do
		svc=${_h_started[i]}
		[ -z "$svc" ] || "$svc"
	done
}

# h_leftovers: print what this test left behind (live pids it started,
# processes whose cwd, root, open files or command line lie under $H_DIR,
# listening sockets on its ports); returns 1 when there is anything
h_leftovers() {
	local pid p found=0 line d
	local -a pat=()
	for pid in "${H_PIDS[@]}" $(_h_recorded); do
		if _h_alive "$pid"; then
			echo "process $pid still running: $(ps -o args= -p "$pid" 2>/dev/null)"
			found=1
		fi
	done
	# a process whose root, working directory or an open file is in
	# one of the test's directories (a chroot, a server's base_dir)
	for d in "$H_DIR" "${H_OWN_DIRS[@]}"; do
		[ -n "$d" ] || continue
		d=$(realpath -m -- "$d")
		[ ${#pat[@]} -eq 0 ] || pat+=(-o)
		pat+=(-lname "$d" -o -lname "$d/*")
	done
	while IFS= read -r pid; do
		[ -n "$pid" ] && [ "$pid" != "$$" ] || continue
		echo "process $pid uses $H_DIR${H_OWN_DIRS[*]:+ or ${H_OWN_DIRS[*]}}: $(ps -o args= -p "$pid" 2>/dev/null)"
		found=1
	done < <(cd / && find /proc/[0-9]*/cwd /proc/[0-9]*/root /proc/[0-9]*/fd \
	    -maxdepth 1 \( "${pat[@]}" \) 2>/dev/null | cut -d/ -f3 | sort -un)
	while IFS= read -r line; do
		pid=${line%% *}
		[ "$pid" != "$$" ] || continue
		case "$line" in
		*"$H_DIR"*) echo "process $pid names $H_DIR: ${line#* }"; found=1 ;;
		esac
	done < <(ps -eo pid=,args= | sed 's/^ *//')
	for p in $(h_ports); do
		line=$(ss -Hlntup "sport = :$p" 2>/dev/null)
		[ -z "$line" ] || { echo "port $p still listening: $line"; found=1; }
	done
	return "$found"
}

# h_assert_no_leftovers: one TAP result: nothing this test started is alive
# and none of its ports is listening. Call it after stopping the servers.
h_assert_no_leftovers() {
	local out
	if out=$(h_leftovers); then
		tap_ok "no process or listening socket left behind (${H_NAME:-test})"
	else
		tap_fail "no process or listening socket left behind (${H_NAME:-test})" "$out"
	fi
}
