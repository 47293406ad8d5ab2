#!/bin/bash
# SPF and the resolver when DNS or records go wrong, with a real NSD:
# truncated answers (TCP retry), SERVFAIL (a zone NSD cannot load), no
# server listening (timeout), a dead first server, records with syntax
# errors, the void-lookup and 10-lookup limits, 11 MX names, exp=.
# DNS trouble must give temperror, never a pass or a crash; Mail::SPF on
# the same NSD is asked too, and where it differs the case says why.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init checks-spf-baddns

probe=${top_builddir:-.}/tests/integration/spf_probe
dprobe=${top_builddir:-.}/tests/integration/dns_probe
z=$H_DIR/zones
mkdir -p "$z"

# a record longer than 512 octets: UDP without EDNS gets TC, then TCP
big="v=spf1"
for i in $(seq 1 60); do big="$big ip4:192.0.2.$i"; done
big="$big ip4:198.51.100.99 -all"
bigtxt=$(printf '%s' "$big" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ')

{
	cat <<'EOF_Z'
$ORIGIN test.example.
$TTL 300
@	SOA	ns1.test.example. hostmaster.test.example. 1 3600 900 604800 300
@	NS	ns1
ns1	A	192.0.2.53
exp	TXT	"v=spf1 -all exp=why.test.example"
why	TXT	"%{i} is not one of %{d}'s senders"
void3	TXT	"v=spf1 a:n1.test.example a:n2.test.example a:n3.test.example ip4:192.0.2.1 -all"
void2	TXT	"v=spf1 a:n1.test.example a:n2.test.example ip4:192.0.2.1 -all"
syn-cidr	TXT	"v=spf1 ip4:192.0.2.1/33 -all"
syn-zero	TXT	"v=spf1 ip4:192.0.2.1/032 -all"
syn-top	TXT	"v=spf1 a:foo -all"
syn-exp2	TXT	"v=spf1 -all exp=why.test.example exp=why.test.example"
syn-macro	TXT	"v=spf1 exists:%{q}.test.example -all"
syn-mech	TXT	"v=spf1 ip4:192.0.2.1 foo:bar -all"
odd-mod	TXT	"v=spf1 moo.cow-far_out=man:dog/cat ip4:192.0.2.1 -all"
zero	TXT	"v=spf1 a:host.test.example/0 -all"
host	A	203.0.113.77
two	TXT	"v=spf1 -all"
two	TXT	"v=spf1 +all"
sf	TXT	"v=spf1 include:broken.example ip4:192.0.2.1 -all"
mx11	TXT	"v=spf1 mx -all"
EOF_Z
	for i in $(seq 1 11); do
		printf 'mx11\tMX\t%d m%d\nm%d\tA\t192.0.2.%d\n' "$i" "$i" "$i" "$((100 + i))"
	done
	# i0 -> i1 -> ... -> i11: eleven includes; j0 -> ... -> j10: ten
	for i in $(seq 0 10); do
		printf 'i%d\tTXT\t"v=spf1 include:i%d.test.example -all"\n' "$i" "$((i + 1))"
	done
	printf 'i11\tTXT\t"v=spf1 ip4:192.0.2.1 -all"\n'
	for i in $(seq 0 9); do
		printf 'j%d\tTXT\t"v=spf1 include:j%d.test.example -all"\n' "$i" "$((i + 1))"
	done
	printf 'j10\tTXT\t"v=spf1 ip4:192.0.2.1 -all"\n'
	printf 'big\tTXT\t%s\n' "$bigtxt"
} >"$z/test.example.zone"

h_nsd_start "$z" || tap_bail "nsd does not start"
port=$H_DNS_PORT
# a zone NSD cannot load answers SERVFAIL: restart on the same port with
# broken.example added (its zone file does not exist)
h_nsd_stop
printf 'zone:\n    name: "broken.example"\n    zonefile: "%s/missing.zone"\n' \
    "$H_DIR" >>"$H_NSD_DIR/nsd.conf"
(cd "$H_NSD_DIR" && exec nsd -d -c "$H_NSD_DIR/nsd.conf") >"$H_NSD_DIR/nsd2.out" 2>&1 &
H_NSD_PID=$!
H_PIDS+=("$H_NSD_PID")
_h_register h_nsd_stop
h_wait 100 _h_nsd_answers test.example || tap_bail "nsd does not come back"
dead=$(h_free_port) || tap_bail "no free port"
S=127.0.0.1@$port
export RES_NAMESERVERS=127.0.0.1 RES_OPTIONS="port:$port"

ours() { "$probe" --dns-server "$S" --timeout 500 "$@" 2>&1; }
field() { sed -n "s/^$1=//p"; }
perl_spf() {
	spfquery.mail-spf-perl --scope mfrom --id "$2" --ip "$1" \
	    --helo-id mx.test.example 2>&1 | head -n 1
}

# IP | MAIL FROM | want | Mail::SPF if it differs | why
cases=$(cat <<'EOF_CASES'
192.0.2.1|a@exp.test.example|fail||
198.51.100.99|a@big.test.example|pass||record > 512 octets: TC, then TCP
203.0.113.1|a@big.test.example|fail||
192.0.2.1|a@void2.test.example|pass||two void lookups are allowed
192.0.2.1|a@void3.test.example|permerror||third void lookup (RFC 7208 4.6.4)
192.0.2.1|a@syn-cidr.test.example|permerror||ip4 prefix 33
192.0.2.1|a@syn-zero.test.example|permerror||leading zero in a CIDR length (RFC 7208 5.6 ABNF)
192.0.2.1|a@syn-top.test.example|permerror||'foo' has no top label (RFC 7208 7.1 domain-end)
192.0.2.1|a@syn-exp2.test.example|permerror||exp twice (RFC 7208 6)
192.0.2.1|a@syn-macro.test.example|permerror||%{q} is no macro letter (RFC 7208 7.1)
192.0.2.1|a@syn-mech.test.example|permerror||unknown mechanism foo
192.0.2.1|a@odd-mod.test.example|pass||unknown modifier with '_' is valid (RFC 7208 6, name ABNF); libspf2 rejects it
192.0.2.200|a@zero.test.example|pass||a/0 matches any client when an A record exists (RFC 7208 5.6); libspf2 refuses /0
192.0.2.1|a@two.test.example|permerror||two SPF records (RFC 7208 4.5)
192.0.2.1|a@i0.test.example|permerror||eleven includes (RFC 7208 4.6.4)
192.0.2.1|a@j0.test.example|pass||ten includes is the limit, not past it
192.0.2.1|a@mx11.test.example|permerror|fail|eleven MX names: RFC 7208 4.6.4 says the mx mechanism MUST produce permerror; Mail::SPF 2.9 follows RFC 4408 and looks at the first ten only
192.0.2.1|a@sf.test.example|temperror||include of a SERVFAIL zone (RFC 7208 5.2)
192.0.2.1|a@nxdomain.test.example|none||
EOF_CASES
)
while IFS='|' read -r ip from want perl_want why; do
	[ -n "$ip" ] || continue
	out=$(ours "$ip" mx.test.example "$from")
	got=$(printf '%s\n' "$out" | field result)
	if [ "$got" = "$want" ]; then
		tap_ok "$from from $ip -> $want${why:+ ($why)}"
	else
		tap_fail "$from from $ip -> '$got', want $want" "$out"
	fi
	p=$(perl_spf "$ip" "$from")
	if [ -z "$perl_want" ] && [ "$p" = "$got" ]; then
		tap_ok "Mail::SPF agrees: $from -> $p"
	elif [ -n "$perl_want" ] && [ "$p" = "$perl_want" ]; then
		tap_ok "Mail::SPF differs as known: $from -> $p ($why)"
	else
		tap_fail "Mail::SPF: $from -> '$p', ours '$got'"
	fi
done <<<"$cases"

out=$(ours 192.0.2.1 mx.test.example a@exp.test.example)
exp=$(printf '%s\n' "$out" | field explanation)
want="192.0.2.1 is not one of exp.test.example's senders"
if [ "$exp" = "$want" ]; then
	tap_ok "exp= text fetched and macro-expanded"
else
	tap_fail "exp= text fetched and macro-expanded" "got: $exp" "want: $want"
fi
pexp=$(spfquery.mail-spf-perl --scope mfrom --id a@exp.test.example --ip 192.0.2.1 \
    --helo-id mx.test.example 2>&1 | sed -n 2p)
if [ "$pexp" = "$want" ]; then
	tap_ok "Mail::SPF gives the same explanation"
else
	tap_fail "Mail::SPF gives the same explanation" "Mail::SPF: $pexp"
fi

out=$(ours 192.0.2.1 mx.test.example a@void3.test.example)
if printf '%s\n' "$out" | grep -qx 'lookups=3 void=3'; then
	tap_ok "void3: counts shown (3 lookups, 3 void)"
else
	tap_fail "void3: counts shown (3 lookups, 3 void)" "$out"
fi

# the resolver itself
out=$("$dprobe" --dns-server "$S" --twice big.test.example TXT 2>&1)
if printf '%s\n' "$out" | grep -q "len=${#big}\$" &&
    printf '%s\n' "$out" | grep -q 'stats queries=2 cache_hits=1 sent=2 tcp=1'; then
	tap_ok "truncated UDP answer retried over TCP (${#big} octets), then cached"
else
	tap_fail "truncated UDP answer retried over TCP, then cached" "$out"
fi
out=$("$dprobe" --dns-server "$S" broken.example TXT 2>&1)
if printf '%s\n' "$out" | grep -q 'status=temporary failure why=SERVFAIL'; then
	tap_ok "SERVFAIL is a temporary failure"
else
	tap_fail "SERVFAIL is a temporary failure" "$out"
fi

# nothing listens: temperror after the timeout and one retry
t0=$(date +%s%N)
out=$("$probe" --dns-server "127.0.0.1@$dead" --timeout 300 192.0.2.1 mx.test.example \
    a@exp.test.example 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$(printf '%s\n' "$out" | field result)" = temperror ] &&
    printf '%s\n' "$out" | grep -q '^problem=.*timeout'; then
	tap_ok "no server listening -> temperror (${ms} ms for 2 tries of 300 ms)"
else
	tap_fail "no server listening -> temperror" "$out"
fi
if [ "$ms" -lt 3000 ]; then
	tap_ok "the timeout is honoured (${ms} ms)"
else
	tap_fail "the timeout is honoured (${ms} ms)"
fi
out=$("$probe" --dns-server "127.0.0.1@$dead" --dns-server "$S" --timeout 300 \
    192.0.2.1 mx.test.example a@exp.test.example 2>&1)
if [ "$(printf '%s\n' "$out" | field result)" = fail ]; then
	tap_ok "a dead first server: the second one answers"
else
	tap_fail "a dead first server: the second one answers" "$out"
fi
out=$("$probe" --dns-server "[::1]@$port" --timeout 500 192.0.2.1 mx.test.example \
    a@j0.test.example 2>&1)
if [ "$H_HAVE_IPV6" != 1 ]; then
	tap_skip "--dns-server [::1]@PORT" "no IPv6 loopback"
elif [ "$(printf '%s\n' "$out" | field result)" = pass ]; then
	tap_ok "--dns-server [::1]@PORT"
else
	tap_fail "--dns-server [::1]@PORT" "$out"
fi

# with --dns-server, /etc/resolv.conf is never opened
if command -v strace >/dev/null; then
	trace=$(strace -f -e trace=open,openat "$probe" --dns-server "$S" 192.0.2.1 \
	    mx.test.example a@exp.test.example 2>&1 >/dev/null)
	if printf '%s\n' "$trace" | grep -q 'resolv\.conf'; then
		tap_fail "resolv.conf not opened when --dns-server is given" \
		    "$(printf '%s\n' "$trace" | grep resolv.conf)"
	else
		tap_ok "resolv.conf not opened when --dns-server is given"
	fi
else
	tap_fail "resolv.conf not opened when --dns-server is given" \
	    "strace missing: install the Debian package strace"
fi

h_nsd_stop
h_assert_no_leftovers
tap_done
