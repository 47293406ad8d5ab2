#!/bin/bash
# srs-bench.sh - make bench-srs: SRS figures next to the peers', same run.
#  1. socketmap forward lookups/s of srs-map serve vs postsrsd 1.10's
#     tcp_table, through 1 persistent connection and through 32 at once
#  2. the time and memory srs-forward adds per message (1 KB and 50 MB)
#     over calling a sendmail directly (a fake sendmail that reads stdin
#     into /dev/null, so only the forwarder's own cost is measured)
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
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
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
FP=$(free_port); RP=$(free_port); SP=$(free_port)
postsrsd -4 -s "$W/secret" -d srs.example.com -l 127.0.0.1 -f "$FP" -r "$RP" -t 30 >"$W/postsrsd.log" 2>&1 &
PIDS="$PIDS $!"
"$top_builddir/srs-map" -s "$W/secret" -d srs.example.com serve \
    --socketmap "inet:127.0.0.1:$SP" --user nobody 2>"$W/srs-map.log" &
PIDS="$PIDS $!"
mkdir "$W/run"
chown nobody "$W/run"
"$top_builddir/srs-map" -s "$W/secret" -d srs.example.com serve \
    --socketmap "unix:$W/run/srs.sock" --user nobody 2>"$W/srs-map-unix.log" &
PIDS="$PIDS $!"
wait_tcp "$FP" && wait_tcp "$SP" || { echo "servers did not start"; cat "$W"/*.log; exit 1; }

echo
echo "== 1. forward lookups per second (alice@sender.example)"
printf '%-34s %14s %14s %8s %16s\n' "" "srs-map (tcp)" "postsrsd 1.10" "ratio" "srs-map (unix)"
for spec in "1 20000" "32 1000"; do
	set -- $spec
	for r in $(seq "$RUNS"); do
		"$B" socketmap "$SP" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/sm.$1"
		"$B" tcp "$FP" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/pt.$1"
		"$B" socketmap "$W/run/srs.sock" "$1" "$2" alice@sender.example | field lookups_per_s >>"$W/su.$1"
	done
	a=$(median <"$W/sm.$1"); b=$(median <"$W/pt.$1"); u=$(median <"$W/su.$1")
	printf '%-34s %14s %14s %7.1fx %16s\n' "$1 connection(s), $2 lookups each" "$a/s" "$b/s" \
	    "$(echo "$a / $b" | bc -l)" "$u/s"
done
echo "(postsrsd 1.x has no unix socket; Postfix takes socketmap:unix:PATH:forward)"

echo
echo "== 2. srs-forward: added time and memory per message (fake sendmail: cat > /dev/null)"
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
printf '%-10s %-34s %12s %12s %14s\n' message "" "median ms" "min ms" "max RSS KiB"
for m in 1k:200 50m:$RUNS; do
	f=${m%%:*}; n=${m##*:}
	d=$($AS "$W/srs-bench" exec "$n" "$W/m$f" -- "$W/sendmail" -i -f alice@sender.example -- r@remote.example)
	s=$($AS "$W/srs-bench" exec "$n" "$W/m$f" -- "$W/srs-forward" -d srs.example.com \
	    -s "$W/secret" --sendmail "$W/sendmail" r@remote.example)
	printf '%-10s %-34s %12s %12s %14s\n' "$f" "sendmail directly" "$(echo "$d" | field median_ms)" \
	    "$(echo "$d" | field min_ms)" "$(echo "$d" | field max_rss_kib)"
	printf '%-10s %-34s %12s %12s %14s\n' "$f" "srs-forward -> sendmail" "$(echo "$s" | field median_ms)" \
	    "$(echo "$s" | field min_ms)" "$(echo "$s" | field max_rss_kib)"
	x=$($AS "$W/srs-bench" exec "$n" "$W/m$f" -- /bin/sh -c 'exec "$0" "$@"' "$W/sendmail" -i -f a@b -- r@remote.example)
	printf '%-10s %-34s %12s %12s %14s\n' "$f" "floor: sh exec'ing sendmail" "$(echo "$x" | field median_ms)" \
	    "$(echo "$x" | field min_ms)" "$(echo "$x" | field max_rss_kib)"
	printf '%-10s %-34s %12.3f %12.3f\n' "$f" "added (median, min)" \
	    "$(echo "$(echo "$s" | field median_ms) - $(echo "$d" | field median_ms)" | bc -l)" \
	    "$(echo "$(echo "$s" | field min_ms) - $(echo "$d" | field min_ms)" | bc -l)"
done
