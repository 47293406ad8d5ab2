#!/bin/bash
# authcheck benchmark, one message (samples/messages/01-newsletter-rsa: SPF
# with one ip4 match, one rsa-sha256 2048-bit signature, DMARC p=reject,
# iprev) per process, start to exit:
#   ours:        authcheck message (SPF + DKIM + DMARC + iprev + HELO)
#   C peers:     spfquery.libspf2 + opendkim-testmsg (SPF and DKIM only)
#   Perl peers:  Mail::SPF spfquery + Mail::DKIM (dkimproxy-verify)
# all asking the same NSD in the same run; then our in-process throughput
# (tests/bench/authcheck_inproc) with a warm and an emptied cache.
# The C peers read only /etc/resolv.conf (port 53): everything runs in a
# private network and mount namespace (unshare; needs root) with NSD on
# 127.0.0.1:53 and resolv.conf bind-mounted over, inside it only.
#   tests/bench/authcheck-bench.sh [RUNS]     (make bench-authcheck)
set -u
RUNS=${1:-${BENCH_RUNS:-30}}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
if [ "${AC_BENCH_INNER:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "authcheck-bench: needs root for unshare --net --mount" >&2
		exit 1
	fi
	exec unshare --net --mount --propagation private \
	    env AC_BENCH_INNER=1 top_srcdir="$top_srcdir" \
	    top_builddir="$top_builddir" bash "$0" "$@"
fi
ac=$top_builddir/authcheck
inproc=$top_builddir/tests/bench/authcheck_inproc
for p in "$ac" "$inproc" hyperfine nsd spfquery.libspf2 opendkim-testmsg \
    spfquery.mail-spf-perl dkimproxy-verify; do
	command -v "$p" >/dev/null || { echo "authcheck-bench: $p missing" >&2; exit 1; }
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
	[ "$n" -gt 0 ] || { echo "authcheck-bench: nsd does not answer" >&2; exit 1; }
	sleep 0.1
done
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$d/resolv.conf"
mount --bind "$d/resolv.conf" /etc/resolv.conf
export RES_NAMESERVERS=127.0.0.1 RES_OPTIONS=port:53

M=$top_srcdir/samples/messages/01-newsletter-rsa.eml
sed 's/$/\r/' "$M" >"$d/msg.crlf"
IP=203.0.113.5 HELO=out.sender.example FROM=bounce@sender.example
echo "== results (must agree)"
printf '  %-24s %s\n' "authcheck (ours)" "$("$ac" message --dns-server 127.0.0.1 \
    --ip $IP --helo $HELO --mail-from $FROM "$M" | grep -o '\(spf\|dkim\|dmarc\|iprev\)=[a-z]*' | tr '\n' ' ')"
printf '  %-24s spf=%s dkim=%s\n' "C peers" \
    "$(spfquery.libspf2 -ip $IP -sender $FROM -helo $HELO 2>/dev/null | head -n 1)" \
    "$(opendkim-testmsg <"$d/msg.crlf" >/dev/null 2>&1 && echo pass || echo fail)"
printf '  %-24s spf=%s dkim=%s\n' "Perl peers" \
    "$(spfquery.mail-spf-perl --scope mfrom --id $FROM --ip $IP --helo-id $HELO 2>/dev/null | head -n 1)" \
    "$(dkimproxy-verify <"$d/msg.crlf" 2>/dev/null | sed -n 's/^verify result: //p')"

echo "== one message per process, start to exit (hyperfine, $RUNS runs)"
hyperfine -N --warmup 3 --runs "$RUNS" --ignore-failure --style none \
    --export-json "$d/ac.json" \
    -n "authcheck message (ours: spf+dkim+dmarc+iprev)" \
    "$ac message --dns-server 127.0.0.1 --ip $IP --helo $HELO --mail-from $FROM $M" \
    -n "spfquery.libspf2" \
    "spfquery.libspf2 -ip $IP -sender $FROM -helo $HELO" \
    -n "opendkim-testmsg" \
    "bash -c 'exec opendkim-testmsg <$d/msg.crlf'" \
    -n "bash -c exec true (shell start-up, subtract)" \
    "bash -c 'exec true'" \
    -n "authcheck --version (our start-up only)" \
    "$ac --version" \
    -n "true (exec floor)" \
    "true" \
    -n "Mail::SPF spfquery" \
    "spfquery.mail-spf-perl --scope mfrom --id $FROM --ip $IP --helo-id $HELO" \
    -n "Mail::DKIM dkimproxy-verify" \
    "bash -c 'exec dkimproxy-verify <$d/msg.crlf'" >/dev/null 2>&1
python3 - "$d/ac.json" <<'EOF_PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
r = {x["command"]: x["median"] * 1e3 for x in res}
def q(t, f):
    t = sorted(t)
    return t[min(len(t) - 1, int(f * len(t)))] * 1e3
for x in res:
    print("  %-48s median %8.2f ms  (quartiles %.2f-%.2f, min %.2f)" % (
        x["command"], x["median"] * 1e3, q(x["times"], 0.25),
        q(x["times"], 0.75), min(x["times"]) * 1e3))
sh = r["bash -c exec true (shell start-up, subtract)"]
ours = r["authcheck message (ours: spf+dkim+dmarc+iprev)"]
c = r["spfquery.libspf2"] + r["opendkim-testmsg"] - sh
perl = r["Mail::SPF spfquery"] + r["Mail::DKIM dkimproxy-verify"] - sh
print("  ours %.2f ms; C peers' sum %.2f ms (ours/C %.2f); Perl peers' sum %.2f ms (Perl/ours %.1fx)"
      % (ours, c, ours / c, perl, perl / ours))
EOF_PY

echo "== in-process (authcheck_inproc: spf+dkim+dmarc+iprev+helo per message)"
"$inproc" 127.0.0.1 300 cold $IP $HELO $FROM "$M" | sed 's/^/  /'
"$inproc" 127.0.0.1 3000 warm $IP $HELO $FROM "$M" | sed 's/^/  /'
