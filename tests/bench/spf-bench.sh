#!/bin/bash
# SPF benchmark: our spf_check (tests/integration/spf_probe) against the C
# peer spfquery.libspf2 and the Perl peer Mail::SPF (spfquery.mail-spf-perl),
# one process per check, all asking the same NSD in the same run; then our
# in-process throughput on a warm cache.
# spfquery.libspf2 reads only /etc/resolv.conf (port 53): everything runs in
# a private network and mount namespace (unshare; needs root) with NSD on
# 127.0.0.1:53 serving samples/dns and resolv.conf bind-mounted over, inside
# that namespace only. Nothing leaves the loopback of the namespace.
#   tests/bench/spf-bench.sh [RUNS]     (make bench-spf)
set -u
RUNS=${1:-${BENCH_RUNS:-30}}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
if [ "${SPF_BENCH_INNER:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "spf-bench: needs root for unshare --net --mount" >&2
		exit 1
	fi
	exec unshare --net --mount --propagation private \
	    env SPF_BENCH_INNER=1 top_srcdir="$top_srcdir" \
	    top_builddir="$top_builddir" bash "$0" "$@"
fi
probe=$top_builddir/tests/integration/spf_probe
for p in "$probe" hyperfine nsd spfquery.libspf2 spfquery.mail-spf-perl; do
	command -v "$p" >/dev/null || { echo "spf-bench: $p missing" >&2; exit 1; }
done
ip link set lo up
d=$(mktemp -d -p "${TMPDIR:-/tmp}")
sed -e "s|@PORT@|53|g" -e "s|@DIR@|$d|g" \
    -e "s|@ZONEDIR@|$top_srcdir/samples/dns/zones|g" \
    "$top_srcdir/samples/dns/nsd.conf.in" >"$d/nsd.conf"
(cd "$d" && exec nsd -d -c "$d/nsd.conf") >"$d/nsd.out" 2>&1 &
nsd_pid=$!
trap 'kill "$nsd_pid" 2>/dev/null; wait "$nsd_pid" 2>/dev/null; rm -rf "$d"' EXIT
n=100
until drill @127.0.0.1 example.com SOA 2>/dev/null | grep -q 'rcode: NOERROR'; do
	n=$((n - 1))
	[ "$n" -gt 0 ] || { echo "spf-bench: nsd does not answer" >&2; exit 1; }
	sleep 0.1
done
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$d/resolv.conf"
mount --bind "$d/resolv.conf" /etc/resolv.conf

# sales@partner.example from a foreign address: a, mx, include:example.com
# and its include:_spf.example.com are all walked (4 lookups, softfail);
# 203.0.113.99 is TEST-NET-3 data, no packet goes to it.
IP=203.0.113.99 FROM=sales@partner.example HELO=x.remote.example
echo "== results (must agree)"
printf '  %-28s %s\n' "spf_probe (ours)" \
    "$("$probe" --dns-server 127.0.0.1 $IP $HELO $FROM | sed -n 's/^result=//p')"
printf '  %-28s %s\n' "spfquery.libspf2" \
    "$(spfquery.libspf2 -ip $IP -sender $FROM -helo $HELO 2>/dev/null | head -n 1)"
printf '  %-28s %s\n' "spfquery.mail-spf-perl" \
    "$(spfquery.mail-spf-perl --scope mfrom --id $FROM --ip $IP --helo-id $HELO 2>/dev/null | head -n 1)"

echo "== one check per process, start to exit (hyperfine, $RUNS runs, median)"
hyperfine -N --warmup 3 --runs "$RUNS" --ignore-failure --style none \
    --export-json "$d/spf.json" \
    -n "ours (spf_probe, libldns, cold cache)" \
    "$probe --dns-server 127.0.0.1 $IP $HELO $FROM" \
    -n "ours, start-up only (bad IP: no query)" \
    "$probe --dns-server 127.0.0.1 not-an-ip $HELO $FROM" \
    -n "spfquery.libspf2" \
    "spfquery.libspf2 -ip $IP -sender $FROM -helo $HELO" \
    -n "Mail::SPF spfquery" \
    "spfquery.mail-spf-perl --scope mfrom --id $FROM --ip $IP --helo-id $HELO" >/dev/null 2>&1
python3 - "$d/spf.json" <<'EOF_PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("  %-40s median %7.2f ms  mean %7.2f ms  min %7.2f ms" % (
        r["command"], r["median"] * 1e3, r["mean"] * 1e3, r["min"] * 1e3))
EOF_PY

echo "== in-process: cache emptied before each check (DNS round trips to NSD)"
for n in 1 2 3; do
	"$probe" --dns-server 127.0.0.1 --repeat 2000 --cold $IP $HELO $FROM |
	    sed -n 's/^repeat=\([0-9]*\) cache=cold us_per_check=\(.*\)/  \1 checks: \2 us per check/p'
done
echo "== in-process, warm cache (the same check repeated after the first)"
for n in 1 2 3; do
	"$probe" --dns-server 127.0.0.1 --repeat 100000 $IP $HELO $FROM |
	    sed -n 's/^repeat=\([0-9]*\) cache=warm us_per_check=\(.*\)/  \1 checks: \2 us per check/p'
done
