#!/bin/bash
# Benchmark (make bench-rehearse; not part of make check; as root):
# qmail2postfix rehearse on a generated host (tests/bench/migrate-gen.py
# --passwords: real hashes of known passwords), per address and per
# login, next to its floors in the same run on the same servers: the
# rehearsal's own Postfix and Dovecot (its private directory, kept with
# --keep, started again from it) take the same number of messages from
# Postfix's smtp-source (to the queue and on into a Maildir, until the
# queue is empty) and the same kind of logins from "doveadm auth test" in
# a loop.  Then a host of 10,000 mailboxes in 100 domains and the
# benchmark host of 100,000 mailboxes in 1,000 domains: wall time, CPU of
# every process of the run (Postfix's too, by a cpuacct cgroup when there
# is one), peak RSS, addresses/s, logins/s (target: under 15 minutes).
# The generated and migrated hosts are kept in BENCH_DIR
# [/var/cache/qmail2postfix/bench] (made once per size: the big one takes
# minutes); the rehearsals run in TMPDIR.
# BENCH_SMALL_DOMAINS/BENCH_SMALL_USERS size the first host [20 x 100],
# BENCH_MID_DOMAINS/BENCH_MID_USERS the second [100 x 100; 0 skips it],
# BENCH_DOMAINS/BENCH_USERS the third [1000 x 100; 0 skips it],
# BENCH_CONCURRENCY rehearse's --concurrency, BENCH_BATCH its --batch
# [their defaults], BENCH_NO_LOGINS=1 the second and third without logins,
# BENCH_COLUMNS their --login-columns [all], BENCH_AUTH_LOGINS the
# doveadm auth test floor's logins [300].
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
dir=${BENCH_DIR:-/var/cache/qmail2postfix/bench}
# short: Dovecot's socket paths under it must stay below 108 bytes
work=${TMPDIR:-/tmp}/q2p-rb.$$
q2p=${BENCH_Q2P:-$top_builddir/qmail2postfix}
conc="${BENCH_CONCURRENCY:+--concurrency $BENCH_CONCURRENCY} ${BENCH_BATCH:+--batch $BENCH_BATCH}"
nolog=${BENCH_NO_LOGINS:+--no-logins}
[ "$(id -u)" -eq 0 ] || { echo "bench-rehearse: needs root"; exit 0; }
for p in smtp-source doveadm postfix dovecot; do
	command -v "$p" >/dev/null || { echo "bench-rehearse: no $p"; exit 1; }
done
mkdir -p "$dir" "$work" || exit 1
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) " MB" }' \
    /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"

host() {	# host NAME DOMAINS USERS: generated once, migrated each run
	local d=$dir/$1 stamp
	# generated again when the generator changed
	stamp=$(md5sum <"$top_srcdir/tests/bench/migrate-gen.py" | cut -c1-32)
	if [ ! -f "$d/.done" ] || [ "$(cat "$d/.done")" != "$stamp" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		echo "generating $d ($2 domains x $3 mailboxes) ..."
		python3 "$top_srcdir/tests/bench/migrate-gen.py" --passwords \
		    "$d/passwords" "$d/root" "$2" "$3" $(( $2 * $3 / 2 )) ||
		    exit 1
		echo "$stamp" >"$d/.done"
	fi
	# migrated by this build (seconds even for the big host)
	rm -rf "$work/$1/OUT"
	mkdir -p "$work/$1"
	"$q2p" --root "$d/root" -o "$work/$1/OUT" -q
	[ $? -le 1 ] || exit 1
}

# cpu_start NAME / cpu_end: this shell in a cpuacct cgroup of its own
# while NAME runs (every process it starts, the daemons too); cpu= its
# seconds
cg= cgs=
cpu_start() {
	cg=/sys/fs/cgroup/cpuacct/q2p-bench-$1-$$
	mkdir "$cg" 2>/dev/null && echo $$ >"$cg/tasks" || cg=
}
cpu_end() {
	cpu="?"
	[ -n "$cg" ] || return
	echo $$ >/sys/fs/cgroup/cpuacct/tasks
	cpu=$(awk '{ printf "%.1f", $1 / 1e9 }' "$cg/cpuacct.usage")
	rmdir "$cg" 2>/dev/null || cgs="$cgs $cg"	# servers still in it
	cg=
}

# stamp: each line of rehearse -v's stderr after the cgroup's CPU so far
# (nanoseconds; - without a cgroup): the logins' CPU is that of every
# process between "logging in to" and "logins done"
stamp() {
	local line
	while IFS= read -r line; do
		printf '%s %s\n' "$(cat "$cg/cpuacct.usage" 2>/dev/null || echo -)" \
		    "$line"
	done
}

# rehearse NAME: the run, its figures in $work/NAME/report.json
rehearse() {
	local name=$1 d=$dir/$1 w=$work/$1; shift
	mkdir -p "$w/tmp"
	echo "load before $name: $(cut -d' ' -f1-3 /proc/loadavg)"
	cpu_start "$name"
	TMPDIR=$w/tmp /usr/bin/time -f '%e %M' -o "$w/time" "$q2p" rehearse \
	    "$w/OUT" --json --passwords "$d/passwords" -v $conc "$@" \
	    2>&1 >"$w/report.json" | stamp >"$w/rehearse.err"
	echo "rehearse exit ${PIPESTATUS[0]}, load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	cpu_end
	python3 - "$w/report.json" "$w/rehearse.err" <<'EOF'
import json, sys
n = json.load(open(sys.argv[1]))["expected"]["logins"]
a = b = None
for line in open(sys.argv[2]):
    v, _, text = line.partition(" ")
    if "logging in to" in text and v != "-":
        a = int(v)
    elif "logins done in" in text and v != "-":
        b = int(v)
if n and a is not None and b is not None:
    print("rehearse: %d logins took %.1f s of CPU (every process of the run "
          "while they ran): %.2f ms of CPU per login" %
          (n, (b - a) / 1e9, (b - a) / 1e6 / n))
EOF
	python3 - "$w/report.json" "$w/time" "$cpu" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t, rss = open(sys.argv[2]).read().split("\n")[-2].split()	# after "exited with"
cpu = sys.argv[3]
run, e = r["run"], r["expected"]
na, nl = e["addresses"], e["logins"]
pt, lt, st = run["probes_seconds"], run["logins_seconds"], run["settle_seconds"]
print("rehearse: %d addresses, %d logins, %d at a time: %.1f s wall "
      "(probes %.1f s, logins %.1f s, queue settled %.1f s; CPU %.1f s without "
      "Postfix), peak RSS %d kB (largest child %d kB; time(1): %s kB)" %
      (na, nl, run["concurrency"], float(t), pt, lt, st, run["cpu_seconds"],
       run["peak_rss_kb"], run["children_peak_rss_kb"], rss))
print("rehearse: per address %.2f ms (sent and settled: %.2f ms), per login "
      "%.2f ms; %.0f addresses/s, %.0f logins/s; %d differences" %
      (1000 * pt / max(na, 1), 1000 * (pt + st) / max(na, 1),
       1000 * lt / max(nl, 1), na / max(pt + st, 1e-9), nl / max(lt, 1e-9),
       e["mismatched"] + e["login_mismatches"]))
print("rehearse: %s addresses in %s shared messages (--batch %s), %s probed "
      "again alone; CPU of every process of the run: %s s" %
      (run.get("batched_addresses"), run.get("batches"), run.get("batch"),
       run.get("probed_again"), cpu))
EOF
}

# ---- the small host: rehearse and its floors ------------------------------
small=small
host "$small" "${BENCH_SMALL_DOMAINS:-20}" "${BENCH_SMALL_USERS:-100}"
# the logins with --login-columns distinct, then all 7 columns (kept)
rehearse "$small" --login-columns distinct
rehearse "$small" --keep
priv=$(sed -n 's/.*kept \(\/[^ ]*\)$/\1/p' "$work/$small/rehearse.err" | tail -1)
[ -d "$priv" ] || { echo "no kept rehearsal directory"; exit 1; }
naddr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expected"]["addresses"])' \
    "$work/$small/report.json")

# the same servers again, from the kept private directory
pf=$priv/pf/etc dc=$priv/dovecot/dovecot.conf
smtp=$(sed -n 's/^127\.0\.0\.1:\([0-9]*\) inet .* smtpd\( .*\)\{0,1\}$/\1/p' \
    "$pf/master.cf" | head -1)
queue=$(postconf -c "$pf" -h queue_directory)
rm -rf "$priv/pf/queue/pid" "$priv/dovecot/run"
# the floor's CPU: the servers' start, smtp-source, the deliveries
cpu_start floor
postfix -c "$pf" start >/dev/null 2>&1 || { echo "postfix does not start"; exit 1; }
dovecot -F -c "$dc" >/dev/null 2>&1 &
dcpid=$!
trap 'postfix -c "$pf" stop >/dev/null 2>&1; kill "$dcpid" 2>/dev/null' EXIT
for i in $(seq 100); do
	[ -S "$priv/dovecot/run/auth-client" ] && break
	sleep 0.1
done
# smtp-source: naddr messages in as many sessions as rehearse used, to the
# last mailbox (no .qmail of its own); then until nothing is left queued
to=$(tail -1 "$dir/$small/passwords" | cut -f1)
sess=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["concurrency"])' \
    "$work/$small/report.json")
t0=$(date +%s.%N)
smtp-source -s "$sess" -m "$naddr" -f floor@rehearse.invalid -t "$to" \
    "127.0.0.1:$smtp" 2>&1 | tail -2
t1=$(date +%s.%N)
while [ -n "$(find "$queue/incoming" "$queue/active" "$queue/maildrop" -type f 2>/dev/null | head -1)" ]; do
	sleep 0.1
done
t2=$(date +%s.%N)
cpu_end
awk -v n="$naddr" -v a="$t0" -v b="$t1" -v c="$t2" -v cpu="$cpu" 'BEGIN {
	printf "floor smtp-source: %d messages, %.1f s sent, %.1f s with the queue empty: %.2f ms per message (sent and delivered); CPU of every process %s s\n",
	    n, b - a, c - a, 1000 * (c - a) / n, cpu }'
# doveadm auth test: a loop over the first BENCH_AUTH_LOGINS [300]
# mailboxes and their passwords, one process each, every call bounded by
# timeout(1): a fixed number of logins in bounded time (a loop as long as
# rehearse's logins took longer than the rest of the benchmark)
n=${BENCH_AUTH_LOGINS:-300} k=0 bad=0
cpu_start auth
t0=$(date +%s.%N)
while IFS=$'\t' read -r a p && [ "$k" -lt "$n" ]; do
	timeout 20 doveadm -c "$dc" auth test "$a" "$p" >/dev/null 2>&1 ||
	    bad=$((bad + 1))
	k=$((k + 1))
done <"$dir/$small/passwords"
t1=$(date +%s.%N)
cpu_end
awk -v n="$k" -v bad="$bad" -v a="$t0" -v b="$t1" -v cpu="$cpu" 'BEGIN {
	printf "floor doveadm auth test: %d logins one after another (%d failed), %.1f s: %.2f ms per login; CPU of every process %s s (%.2f ms per login)\n",
	    n, bad, b - a, 1000 * (b - a) / n, cpu, 1000 * cpu / n }'
postfix -c "$pf" stop >/dev/null 2>&1
kill "$dcpid" 2>/dev/null
wait "$dcpid" 2>/dev/null
trap - EXIT
rm -rf "$work/$small/tmp"

# ---- 10,000 mailboxes, then the benchmark host ----------------------------
for size in "${BENCH_MID_DOMAINS:-100} ${BENCH_MID_USERS:-100}" \
    "${BENCH_DOMAINS:-1000} ${BENCH_USERS:-100}"; do
	set -- $size
	[ "$1" -gt 0 ] || continue
	host "h$1x$2" "$1" "$2"
	rehearse "h$1x$2" --timeout 1800 $nolog \
	    --login-columns "${BENCH_COLUMNS:-all}"
	rm -rf "$work/h$1x$2/tmp"
done
rm -rf "$work"
for c in $cgs; do
	rmdir "$c" 2>/dev/null
done
