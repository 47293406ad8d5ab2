# shellcheck shell=bash
#
# NAME		pflive.sh - a generated main.cf and master.cf run as they are
# DOES		a private instance of OUT/postfix (maps built) under RUN: its
#		own queue, data directory, log and one loopback port for the
#		port-25 smtpd; submission and smtps (which need the new host's
#		TLS key) and the milters left out; one RCPT over SMTP
# NEVER		uses the host's queue or ports but the one given
#
# PREFIX is where RUN and SRC are seen from here ("" on this host, the
# root's path for a chroot); RUNNER... runs a command where Postfix is
# (nothing on this host; d13 ROOT, or d13_ns ROOT to start servers).

# pflive_setup PREFIX SRC RUN PORT [RUNNER...]
pflive_setup() {
	local pre=$1 src=$2 run=$3 port=$4
	shift 4
	mkdir -p "$pre$run/queue" "$pre$run/data" &&
	    cp -a "$pre$src" "$pre$run/etc" &&
	    "$@" chown postfix: "$run/data" &&
	    "$@" postconf -c "$run/etc" -e "queue_directory = $run/queue" \
	    "data_directory = $run/data" "maillog_file = $run/maillog" \
	    "maillog_file_prefixes = $run" "inet_interfaces = 127.0.0.1" \
	    "inet_protocols = ipv4" "smtpd_milters =" "non_smtpd_milters =" &&
	    "$@" postconf -c "$run/etc" -MX submission/inet smtps/inet &&
	    sed -i "s/^smtp \( *\)inet /127.0.0.1:$port inet /" \
	    "$pre$run/etc/master.cf"
}

# pflive_stop PREFIX RUN [RUNNER...]: postfix stop, then the master's pid
pflive_stop() {
	local pre=$1 run=$2 pid n=50
	shift 2
	"$@" postfix -c "$run/etc" stop >/dev/null 2>&1
	while [ -s "$pre$run/queue/pid/master.pid" ] && [ $n -gt 0 ]; do
		pid=$(tr -dc 0-9 <"$pre$run/queue/pid/master.pid" 2>/dev/null)
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		n=$((n - 1))
	done
	pid=$(tr -dc 0-9 <"$pre$run/queue/pid/master.pid" 2>/dev/null)
	[ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || kill -9 "$pid"
}

# pflive_rcpt PORT ADDRESS: the SMTP code of RCPT TO:<ADDRESS>
pflive_rcpt() {
	python3 - "$1" "$2" <<'PY' 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("client.example")
s.mail("someone@sender.example")
code, _ = s.rcpt(sys.argv[2])
print(code)
s.quit()
PY
}
