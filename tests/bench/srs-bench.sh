#!/bin/bash
# srs-bench.sh - make bench-srs: SRS figures next to the peers', same run.
#  1. socketmap forward lookups/s of srs-map serve vs postsrsd 1.10's
#     tcp_table, through 1 persistent connection and through 32 at once
#     (and a do-nothing server: the floor of the transport), with client
#     and servers pinned to one CPU, then not pinned
#  2. the time and memory srs-forward adds per message (1 KB and 50 MB)
#     over calling a sendmail directly (a fake sendmail that reads stdin
#     into /dev/null, so only the forwarder's own cost is measured)
# Every figure: the median and the range of SRS_BENCH_RUNS runs (3).
# Needs root (postsrsd, setpriv); binds 127.0.0.1 only; stops what it starts.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
W=$(mktemp -d)
chmod 755 "$W"
PIDS=""
cleanup() { local p; for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT
PATH=$PATH:/usr/sbin
B=$top_builddir/tests/bench/srs-bench
RUNS=${SRS_BENCH_RUNS:-3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_tcp() { local n=100; until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do sleep 0.1; n=$((n-1)); [ $n -gt 0 ] || return 1; done; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

[ "$(id -u)" = 0 ] || { echo "srs-bench: needs root (postsrsd, setpriv)" >&2; exit 2; }
if nm "$top_builddir/srs-map" 2>/dev/null | grep -q __asan_init; then
	echo "NOTE: this build has sanitizers; configure without --enable-sanitizers for real figures"
fi
echo "machine: $(nproc) CPU, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "date: $(date -u '+%F %T UTC'), $RUNS runs each, medians"

openssl rand -hex 24 > "$W/secret"
chown nobody "$W/secret"
chmod 600 "$W/secret"
FP=$(free_port); RP=$(free_port); SP=$(free_port); LP=$(free_port)
postsrsd -4 -s "$W/secret" -d srs.example.com -l 127.0.0.1 -f "$FP" -r "$RP" -t 30 >"$W/postsrsd.log" 2>&1 &
SRV=$!
"$top_builddir/srs-map" -s "$W/secret" -d srs.example.com serve \
    --socketmap "inet:127.0.0.1:$SP" --user nobody 2>"$W/srs-map.log" &
SRV="$SRV $!"
mkdir "$W/run"
chown nobody "$W/run"
"$top_builddir/srs-map" -s "$W/secret" -d srs.example.com serve \
    --socketmap "unix:$W/run/srs.sock" --user nobody 2>"$W/srs-map-unix.log" &
SRV="$SRV $!"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$B" floor "$LP" 2>"$W/floor.log" &
SRV="$SRV $!"
PIDS="$PIDS $SRV"
wait_tcp "$FP" && wait_tcp "$SP" && wait_tcp "$LP" || { echo "servers did not start"; cat "$W"/*.log; exit 1; }

# "median (min-max)" of the numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {printf "%s (%s-%s)", a[int((NR+1)/2)], a[1], a[NR]}'; }
# per-run ratios of two files of numbers, line by line
ratios() { paste "$1" "$2" | awk '{printf "%.2f\n", $1 / $2}'; }
# every server process (and the children it forks later) on CPU list $1
pin() { local p; for p in $SRV; do taskset -a -pc "$1" "$p" >/dev/null; done; }
NCPU=$(nproc)
CPU=$((NCPU - 1))

echo
echo "== 1. forward lookups per second (alice@sender.example), each server in turn, same client"
echo "   srs-map and postsrsd over loopback TCP; floor: a server that does no work (srs-bench floor)"
echo "   median (min-max) of $RUNS runs; ratio: srs-map / postsrsd per run"
for mode in pinned free; do
	if [ "$mode" = pinned ]; then
		pin "$CPU"; CL="taskset -c $CPU"
		echo "-- client and server on CPU $CPU (the same CPU for every server)"
	else
		pin "0-$CPU"; CL=""
		echo "-- not pinned (the scheduler places client and server; cross-CPU wakeups dominate)"
	fi
	for spec in "1 20000" "32 1000"; do
		set -- $spec
		t=$mode.$1
		for r in $(seq "$RUNS"); do
			$CL "$B" socketmap "$SP" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/sm.$t"
			$CL "$B" tcp "$FP" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/pt.$t"
			$CL "$B" socketmap "$LP" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/fl.$t"
			$CL "$B" socketmap "$W/run/srs.sock" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/su.$t"
		done
		echo "   $1 connection(s), $2 lookups each:"
		echo "     srs-map (tcp)        $(stats <"$W/sm.$t")"
		echo "     postsrsd 1.10 (tcp)  $(stats <"$W/pt.$t")"
		echo "     ratio                $(ratios "$W/sm.$t" "$W/pt.$t" | stats)"
		echo "     floor (tcp)          $(stats <"$W/fl.$t")  floor / postsrsd: $(ratios "$W/fl.$t" "$W/pt.$t" | stats)"
		echo "     srs-map (unix)       $(stats <"$W/su.$t")"
	done
done
pin "0-$CPU"
echo "(postsrsd 1.x has no unix socket; Postfix takes socketmap:unix:PATH:forward)"

echo
echo "== 2. srs-forward: added time and memory per message (fake sendmail: cat > /dev/null)"
echo "   per run: the median wall time of N executions; shown: median (min-max) of $RUNS runs"
printf '#!/bin/sh\nexec cat >/dev/null\n' >"$W/sendmail"
chmod 755 "$W/sendmail"
cp "$top_builddir/srs-forward" "$W/srs-forward"
cp "$B" "$W/srs-bench"
{ printf 'From alice@sender.example  Mon Nov 23 10:00:00 2026\nReturn-Path: <alice@sender.example>\n'
  printf 'Delivered-To: user@example.com\nSubject: bench\n\n'; } >"$W/head"
{ cat "$W/head"; head -c 1000 /dev/zero | tr '\0' x | fold -w 76; } >"$W/m1k"
{ cat "$W/head"; head -c $((50 * 1024 * 1024)) /dev/zero | tr '\0' x | fold -w 76; } >"$W/m50m"
chmod 644 "$W"/m*
AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
echo "   srs-forward links: $(ldd "$W/srs-forward" | awk '{print $1}' | grep -v vdso | tr '\n' ' ')"
for m in 1k:200 50m:2; do
	f=${m%%:*}; n=${m##*:}
	for r in $(seq "$RUNS"); do
		d=$($AS "$W/srs-bench" exec "$n" "$W/m$f" -- "$W/sendmail" -i -f alice@sender.example -- r@remote.example)
		s=$($AS "$W/srs-bench" exec "$n" "$W/m$f" -- "$W/srs-forward" -d srs.example.com \
		    -s "$W/secret" --sendmail "$W/sendmail" r@remote.example)
		x=$($AS "$W/srs-bench" exec "$n" "$W/m$f" -- /bin/sh -c 'exec "$0" "$@"' "$W/sendmail" -i -f a@b -- r@remote.example)
		echo "$d" | field median_ms >>"$W/d.$f"
		echo "$s" | field median_ms >>"$W/s.$f"
		echo "$x" | field median_ms >>"$W/x.$f"
		echo "$(echo "$s" | field median_ms) - $(echo "$d" | field median_ms)" | bc -l | awk '{printf "%.3f\n", $1}' >>"$W/a.$f"
		echo "$(echo "$x" | field median_ms) - $(echo "$d" | field median_ms)" | bc -l | awk '{printf "%.3f\n", $1}' >>"$W/ax.$f"
		echo "$d" | field max_rss_kib >>"$W/dr.$f"
		echo "$s" | field max_rss_kib >>"$W/sr.$f"
	done
	echo "   $f message ($n executions per run):"
	echo "     sendmail directly              $(stats <"$W/d.$f") ms, max RSS $(sort -n "$W/dr.$f" | tail -1) KiB"
	echo "     srs-forward -> sendmail        $(stats <"$W/s.$f") ms, max RSS $(sort -n "$W/sr.$f" | tail -1) KiB"
	echo "     floor: sh exec'ing sendmail    $(stats <"$W/x.$f") ms"
	echo "     added by srs-forward           $(stats <"$W/a.$f") ms"
	echo "     added by the sh floor          $(stats <"$W/ax.$f") ms"
done
