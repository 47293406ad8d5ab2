#!/bin/bash
# SPF on the sample world: our spf_check (through the libldns resolver and
# a real NSD serving samples/dns) against results worked out by hand from
# the zone files, and against Mail::SPF (spf-tools-perl) on the same NSD.
# Where the two differ on purpose the case names the difference and the
# RFC 7208 text we follow, and asserts Mail::SPF's answer too, so that a
# change on either side shows.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init checks-spf-samples

probe=${top_builddir:-.}/tests/integration/spf_probe
sdir=${top_srcdir:-.}/samples/dns
[ -n "$(find "$sdir" -name '*.zone' 2>/dev/null | head -n 1)" ] ||
    tap_bail "samples/dns has no zones"
command -v spfquery.mail-spf-perl >/dev/null ||
    tap_bail "spfquery.mail-spf-perl missing: install spf-tools-perl"
h_nsd_start "$sdir" || tap_bail "nsd does not start on samples/dns"
export RES_NAMESERVERS=127.0.0.1 RES_OPTIONS="port:$H_DNS_PORT"

# ours IP HELO MAILFROM SCOPE: prints our result line by line
ours() {
	local id=()
	[ "$4" = helo ] && id=(--helo-identity)
	"$probe" --dns-server "127.0.0.1@$H_DNS_PORT" --receiver mx1.example.com \
	    "${id[@]}" "$1" "$2" "$3"
}

# perl IP HELO MAILFROM SCOPE: Mail::SPF's result word
perl_spf() {
	if [ "$4" = helo ]; then
		spfquery.mail-spf-perl --scope helo --id "$2" --ip "$1" 2>&1 | head -n 1
	else
		spfquery.mail-spf-perl --scope mfrom --id "${3:-postmaster@$2}" \
		    --ip "$1" --helo-id "$2" 2>&1 | head -n 1
	fi
}

# IP | HELO | MAIL FROM | scope | want | Mail::SPF if it differs | why
cases=$(cat <<'EOF_CASES'
198.51.100.25|mx1.example.com|alice@example.com|mfrom|pass||new host listed by ip4
192.0.2.10|mail.example.com|alice@example.com|mfrom|pass||old host listed by ip4
192.0.2.130|mail.example.com|alice@example.com|mfrom|pass||include:_spf.example.com, 192.0.2.128/26
203.0.113.99|x.remote.example|alice@example.com|mfrom|softfail||~all
198.51.100.25|mx1.example.com|alice@example.net|mfrom|fail||example.net lists only the old host: the cutover blocker
192.0.2.10|mail.example.com|alice@example.net|mfrom|pass||
198.51.100.25|mx1.example.com|bob@example.org|mfrom|pass||redirect=example.com
203.0.113.99|x.remote.example|bob@example.org|mfrom|softfail||redirect keeps example.com's ~all
198.51.100.25|mx1.example.com|info@oldbrand.example|mfrom|fail||v=spf1 -all
198.51.100.25|mx1.example.com|sales@partner.example|mfrom|pass||include:example.com
192.0.2.10|mail.example.com|sales@partner.example|mfrom|pass||mx -> mail.example.com
203.0.113.99|x.remote.example|sales@partner.example|mfrom|softfail||a, mx, include all miss
203.0.113.5|out.sender.example|alice@sender.example|mfrom|pass||
198.51.100.25|mx1.example.com|alice@sender.example|mfrom|fail||plain forwarding breaks SPF
203.0.113.20|out.news.example|list@news.example|mfrom|pass||
203.0.113.30|mta.bank.example|bounce@mta.bank.example|mfrom|pass||own SPF at mta.bank.example
198.51.100.80|mx.webmail.example|w@webmail.example|mfrom|pass||
203.0.113.99|x.remote.example|w@webmail.example|mfrom|softfail||
203.0.113.40|mx.remote.example|alice.home@remote.example|mfrom|pass||ip4:203.0.113.32/27
198.51.100.70|smtp.remote.example|alice.home@remote.example|mfrom|pass||
198.51.100.25|mx1.example.com|alice.home@remote.example|mfrom|fail||
198.51.100.25|mx1.example.com||helo|pass||HELO identity: a -all at mx1
203.0.113.99|mx1.example.com||helo|fail||HELO name used from a wrong address
198.51.100.25|mx1.example.com||mfrom|pass||null sender: postmaster@HELO (RFC 7208 2.4)
192.0.2.10|mail.example.com||helo|pass||old host HELO
198.51.100.25|mx1.example.com|x@nosuch.example.com|mfrom|none||NXDOMAIN: none (RFC 7208 4.3)
2001:db8::25|mx1.example.com|alice@example.com|mfrom|softfail||IPv6 client, record lists IPv4 only
::ffff:198.51.100.25|mx1.example.com|alice@example.com|mfrom|pass||IPv4-mapped client is IPv4 (RFC 7208 5)
127.0.0.1|mx1.example.com|alice@example.com|mfrom|softfail||loopback gets no free pass (libspf2 would say pass)
EOF_CASES
)

n=0
while IFS='|' read -r ip helo from scope want perl_want why; do
	[ -n "$ip" ] || continue
	n=$((n + 1))
	out=$(ours "$ip" "$helo" "$from" "$scope" 2>&1)
	got=$(printf '%s\n' "$out" | sed -n 's/^result=//p')
	desc="$ip $scope ${from:-<>} helo=$helo"
	if [ "$got" = "$want" ]; then
		tap_ok "ours: $desc -> $want${why:+ ($why)}"
	else
		tap_fail "ours: $desc -> $got, want $want" "$out"
	fi
	p=$(perl_spf "$ip" "$helo" "$from" "$scope")
	if [ -z "$perl_want" ] && [ "$p" = "$got" ]; then
		tap_ok "Mail::SPF agrees: $desc -> $p"
	elif [ -n "$perl_want" ] && [ "$p" = "$perl_want" ]; then
		tap_ok "Mail::SPF differs as known: $desc -> $p ($why)"
	else
		tap_fail "Mail::SPF: $desc -> '$p', ours '$got'"
	fi
done <<<"$cases"

# Received-SPF carries identity= and receiver= (RFC 7208 9.1)
hdr=$(ours 198.51.100.25 mx1.example.com alice@example.com mfrom | grep '^Received-SPF:')
case $hdr in
*"receiver=mx1.example.com;"*"identity=mailfrom"*'mechanism="ip4:198.51.100.25"'*)
	tap_ok "Received-SPF has receiver=, identity=, mechanism=" ;;
*)	tap_fail "Received-SPF has receiver=, identity=, mechanism=" "$hdr" ;;
esac
hdr=$(ours 198.51.100.25 mx1.example.com '' helo | grep '^Received-SPF:')
case $hdr in
*"identity=helo"*) tap_ok "HELO check says identity=helo" ;;
*)	tap_fail "HELO check says identity=helo" "$hdr" ;;
esac
# counts: partner.example from a foreign address walks a, mx, include
out=$(ours 203.0.113.99 x.remote.example sales@partner.example mfrom)
if printf '%s\n' "$out" | grep -qx 'lookups=4 void=0'; then
	tap_ok "lookup count for a, mx, include:example.com (and its include:_spf) is 4"
else
	tap_fail "lookup count for a, mx, include:example.com (and its include:_spf) is 4" "$out"
fi

h_nsd_stop
h_assert_no_leftovers
tap_done
